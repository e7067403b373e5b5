package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.Operator;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.RunStatus;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Approve and reject. When a worker answers, the decision goes as the update {@code decide}: the run
 * checks it at once (step pending, approver allowed, RPO override) and a refusal is an error here.
 * When none answers (a worker restarting), it goes as a signal, which Temporal keeps in the run's
 * history until a worker applies the same checks; the command then says it is not yet applied and
 * exits 4, never 0, since the run may still ignore it.
 * The approver ({@code --by}) is claimed, not authenticated; the decision also carries who sent
 * it, this CLI's Temporal identity, and the run records both.
 */
abstract class DecisionOptions implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "the run: its workflow ID (recovery-<namespace>.<statefulSet>), <namespace>/<statefulSet>, or the database name")
  String run;

  @Option(names = "--by", description = "the approver you decide as, checked against the target's approvers"
      + " (default: your OS user); recorded beside who sent the decision (user@host)")
  String by;

  @Option(names = "--reason", description = "why, recorded with the decision")
  String reason;

  abstract boolean approve();

  boolean overrideRpo() {
    return false;
  }

  @Override
  public Integer call() throws Exception {
    if (by != null && by.isBlank()) {
      // an empty --by is a mistake (an unset variable), not a wish to decide as whoever runs pgdr
      throw CliException.badInput("--by is empty", "name the approver with --by NAME, or leave --by out to decide as "
          + Operator.name());
    }
    Runs runs = new Runs(temporal.connection().client());
    String workflowId = runs.workflowId(run);
    if (!Runs.isOpen(runs.state(workflowId))) {
      throw CliException.badInput(workflowId + " has ended; there is nothing to decide", "pgdr status " + workflowId);
    }
    String who = by == null ? Operator.name() : by;
    ApprovalDecision decision = new ApprovalDecision(who, reason, overrideRpo());
    Optional<ApprovalRequest> pending = runs.status(workflowId).map(status -> pendingOf(workflowId, status));
    Runs.Delivery delivery;
    try {
      delivery = runs.decide(workflowId, pending.map(ApprovalRequest::step).orElse(null), decision, approve());
    } catch (CliException refused) {
      throw CliException.badInput(refused.getMessage(), pending.map(p -> hintFor(p, who)).orElse(refused.hint()));
    }
    String step = pending.map(ApprovalRequest::step).orElse("the pending step");
    String verdict = approve() ? "approved" : "rejected";
    var err = spec.commandLine().getErr();
    if (delivery.applied()) {
      err.printf("%s: %s %s by %s, sent by %s%n", workflowId, step, verdict, who, delivery.sentBy());
    } else {
      err.printf("%s: sent, not yet applied: %s of %s by %s. No worker answered, so the run has not checked it: it does when"
          + " a worker is back, and ignores it if nothing is pending then or %s may not decide%n", workflowId,
          approve() ? "approval" : "rejection", step, who, who);
      err.printf("hint: start a worker (pgdr worker), then see whether it was taken: pgdr status %s%n", workflowId);
    }
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(
          new DecisionSent(workflowId, step, verdict, who, delivery.sentBy(), reason, delivery.applied())));
    }
    return delivery.applied() ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
  }

  private static ApprovalRequest pendingOf(String workflowId, RunStatus status) {
    if (status.pendingApproval() == null) {
      throw CliException.badInput(workflowId + " awaits no approval (phase " + status.phase() + ", step " + status.currentStep()
          + "); nothing was sent", "pgdr status " + workflowId);
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

  /**
   * @param by the approver named (claimed)
   * @param sentBy who sent it: this CLI's Temporal identity
   * @param recorded the run took the decision (update); false when it was only signalled, not yet applied
   */
  record DecisionSent(String run, String step, String decision, String by, String sentBy, String reason, boolean recorded) {}
}
