package io.pgdr.cli;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.RunStatus;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Approve and reject: checked here against the run's pending request with the same rules the
 * workflow applies (so a mistake is an error now, not a silent warning later), then signalled,
 * then confirmed by reading the run's status back.
 */
abstract class DecisionOptions implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "the run: recovery-<database>, or the database name")
  String run;

  @Option(names = "--by", description = "who decides (default: your OS user)")
  String by;

  @Option(names = "--reason", description = "why, recorded with the decision")
  String reason;

  abstract boolean approve();

  boolean overrideRpo() {
    return false;
  }

  @Override
  public Integer call() throws Exception {
    Runs runs = new Runs(temporal.connection().client());
    String workflowId = Runs.workflowId(run);
    if (!Runs.isOpen(runs.state(workflowId))) {
      throw CliException.badInput(workflowId + " has ended; there is nothing to decide", "pgdr status " + workflowId);
    }
    String who = by == null || by.isBlank() ? Operator.name() : by;
    Optional<RunStatus> status = runs.status(workflowId);
    String step = status.map(s -> check(workflowId, s, who)).orElse("the pending step");
    if (status.isEmpty()) {
      // No worker answers now (it may be restarting): the decision is still recorded in the run's
      // history, and the workflow applies the same checks when a worker picks it up.
      spec.commandLine().getErr().printf("no worker answers %s right now; sending the decision anyway: the run checks it when a worker is back%n", workflowId);
    }
    runs.decide(workflowId, new ApprovalDecision(who, reason, overrideRpo()), approve());
    String verdict = approve() ? "approved" : "rejected";
    spec.commandLine().getErr().printf("%s: %s %s by %s%n", workflowId, step, verdict, who);
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(new DecisionSent(workflowId, step, verdict, who, reason)));
    }
    return ExitCodes.OK;
  }

  /** The workflow's own rules, checked before sending so a mistake is reported now. @return the pending step */
  private String check(String workflowId, RunStatus status, String who) {
    ApprovalRequest pending = status.pendingApproval();
    if (pending == null) {
      throw CliException.badInput(workflowId + " awaits no approval (phase " + status.phase() + ", step " + status.currentStep() + ")",
          "pgdr status " + workflowId);
    }
    if (!pending.allowedApprovers().isEmpty() && !pending.allowedApprovers().contains(who)) {
      throw CliException.badInput(who + " may not decide on " + workflowId + "; approvers: " + pending.allowedApprovers(), null);
    }
    if (approve() && pending.rpoExceeded() && !overrideRpo()) {
      throw CliException.badInput("the estimated loss (" + pending.estimatedLossBytes() + " bytes, " + pending.estimatedLossSeconds()
          + " s) is above the RPO", "to accept it, approve with --override-rpo");
    }
    return pending.step();
  }

  record DecisionSent(String run, String step, String decision, String by, String reason) {}
}
