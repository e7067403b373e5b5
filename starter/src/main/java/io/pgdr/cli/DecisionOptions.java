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
 * Approve and reject. When a worker answers, the decision goes as the update {@code decide}: the run
 * checks it at once (step pending, approver allowed, RPO override) and a refusal is an error here.
 * When none answers (a worker restarting), it goes as a signal, which Temporal keeps in the run's
 * history until a worker applies the same checks.
 */
abstract class DecisionOptions implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "the run: its workflow ID (recovery-<namespace>.<statefulSet>), <namespace>/<statefulSet>, or the database name")
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
    String workflowId = runs.workflowId(run);
    if (!Runs.isOpen(runs.state(workflowId))) {
      throw CliException.badInput(workflowId + " has ended; there is nothing to decide", "pgdr status " + workflowId);
    }
    String who = by == null || by.isBlank() ? Operator.name() : by;
    ApprovalDecision decision = new ApprovalDecision(who, reason, overrideRpo());
    Optional<ApprovalRequest> pending = runs.status(workflowId).map(status -> pendingOf(workflowId, status));
    boolean recorded;
    try {
      recorded = runs.decide(workflowId, pending.map(ApprovalRequest::step).orElse(null), decision, approve());
    } catch (CliException refused) {
      throw CliException.badInput(refused.getMessage(), pending.map(p -> hintFor(p, who)).orElse(refused.hint()));
    }
    String step = pending.map(ApprovalRequest::step).orElse("the pending step");
    String verdict = approve() ? "approved" : "rejected";
    spec.commandLine().getErr().printf("%s: %s %s by %s%s%n", workflowId, step, verdict, who, recorded ? ""
        : " (sent; no worker answers right now: the run checks it when a worker is back)");
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(new DecisionSent(workflowId, step, verdict, who, reason, recorded)));
    }
    return ExitCodes.OK;
  }

  private static ApprovalRequest pendingOf(String workflowId, RunStatus status) {
    if (status.pendingApproval() == null) {
      throw CliException.badInput(workflowId + " awaits no approval (phase " + status.phase() + ", step " + status.currentStep() + ")",
          "pgdr status " + workflowId);
    }
    return status.pendingApproval();
  }

  /** What to do about a refusal, from what the run asked for. */
  private String hintFor(ApprovalRequest pending, String who) {
    if (approve() && pending.rpoExceeded() && !overrideRpo()) {
      return "to accept a loss above the RPO, approve with --override-rpo";
    }
    if (!pending.allowedApprovers().isEmpty() && !pending.allowedApprovers().contains(who)) {
      return "decide as one of " + pending.allowedApprovers() + " with --by NAME";
    }
    return "pgdr status " + run;
  }

  /** @param recorded the run recorded the decision (update); false when it was signalled for a worker to check later */
  record DecisionSent(String run, String step, String decision, String by, String reason, boolean recorded) {}
}
