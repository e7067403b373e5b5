package io.pgdr.run;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;

/**
 * What every recovery workflow answers: approval decisions by signal (so the Temporal UI can send
 * them as well as the CLI) and its status by query.
 */
public interface RecoveryRun {

  /** Approves the pending destructive step. Ignored, with a warning on the run, when nothing is pending or the approver is not allowed. */
  @SignalMethod
  void approve(ApprovalDecision decision);

  /** Rejects the pending step; the run stops before changing anything further and reports aborted. */
  @SignalMethod
  void reject(ApprovalDecision decision);

  @QueryMethod
  RunStatus status();
}
