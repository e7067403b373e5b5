package io.pgdr.run;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * What every recovery workflow answers, from the Temporal UI as well as the CLI. Decisions come
 * as the update {@code decide}, which refuses a bad one to its sender at once (unknown step,
 * approver outside the allow-list, missing RPO override), or as the signals {@code approve} and
 * {@code reject}, which need no worker to be up when sent and are checked when the run reads
 * them. The descriptions are what the UI lists in its signal, update and query dialogs.
 */
public interface RecoveryRun {

  String DECIDE = "decide";
  String ABORT = "abort";

  @SignalMethod(description = "Approve the step the run waits for. Input: {\"by\": \"alice\", \"reason\": \"why\","
      + " \"overrideRpo\": false, \"sentBy\": \"who sends it (optional)\"}. Accepted even with no worker up; a decision that does not fit (nothing pending,"
      + " approver not allowed, loss above the RPO without overrideRpo) is ignored and shown as a warning in the"
      + " status query. The update decide checks at once instead.")
  void approve(ApprovalDecision decision);

  @SignalMethod(description = "Reject the step the run waits for: the run stops before changing anything further and"
      + " ends aborted. Input: {\"by\": \"bob\", \"reason\": \"why\"}. Checked like approve.")
  void reject(ApprovalDecision decision);

  @UpdateMethod(name = DECIDE, description = "Approve or reject the step the run waits for, checked at once:"
      + " refused with the reason when no approval is pending, the step is not the one pending, the approver is not"
      + " allowed, or the loss is above the RPO without overrideRpo. Input: {\"step\": \"promote\", \"approve\": true,"
      + " \"by\": \"alice\", \"reason\": \"why\", \"overrideRpo\": false, \"sentBy\": \"who sends it (optional)\"}. `by` is"
      + " checked against the approvers but not authenticated; it and sentBy are recorded as claimed. Returns the decision"
      + " as recorded.")
  ApprovalRecord decide(StepDecision decision);

  @UpdateValidatorMethod(updateName = DECIDE)
  void validateDecide(StepDecision decision);

  @UpdateMethod(name = ABORT, description = "Stop the run before its first destructive step: at the approval gate at"
      + " once, or when it gets there if it is still diagnosing (a pre-approval is then not used). Refused once the"
      + " run has started changing the cluster, since stopping midway would leave it half-done. Input:"
      + " {\"by\": \"alice\", \"reason\": \"why\"}; the same approvers as for decisions.")
  ApprovalRecord abort(AbortRequest request);

  @UpdateValidatorMethod(updateName = ABORT)
  void validateAbort(AbortRequest request);

  @QueryMethod(description = "The run now: scenario, database, phase, current step, the pending approval with its"
      + " plan, the timeline, approvals, warnings (RTO thresholds, refused decisions) and, once ended, the report.")
  RunStatus status();
}
