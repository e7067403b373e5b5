package io.pgdr.run;

import io.pgdr.ports.VerificationResult;
import java.time.Instant;
import java.util.List;

/**
 * The evidence a run leaves: what happened, when, who approved, and the measured RTO and RPO.
 * {@code outcome} is succeeded, failed or aborted; {@code message} says why in a sentence.
 * {@code restore} is filled by the restore scenario only. {@code badInput} is true when the run
 * failed on its input (the target, the bucket or prefix, the backup named) before changing
 * anything; null otherwise, as in reports of runs from before it existed.
 */
public record RecoveryReport(
    String scenario,
    String database,
    String workflowId,
    String outcome,
    String message,
    Instant incidentStart,
    Instant finishedAt,
    String newPrimary,
    RtoFigures rto,
    RpoFigures rpo,
    List<ApprovalRecord> approvals,
    List<StepRecord> steps,
    VerificationResult verification,
    RestoreSummary restore,
    Boolean badInput) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String ABORTED = "aborted";

  /** A report with no verdict on its input, as scenarios and tests wrote them before {@code badInput}. */
  public RecoveryReport(String scenario, String database, String workflowId, String outcome, String message, Instant incidentStart,
      Instant finishedAt, String newPrimary, RtoFigures rto, RpoFigures rpo, List<ApprovalRecord> approvals, List<StepRecord> steps,
      VerificationResult verification, RestoreSummary restore) {
    this(scenario, database, workflowId, outcome, message, incidentStart, finishedAt, newPrimary, rto, rpo, approvals, steps,
        verification, restore, null);
  }

  /** The run failed on bad input and changed nothing: the CLI exits with "bad input", not "recovery failed". */
  public boolean failedOnInput() {
    return FAILED.equals(outcome) && Boolean.TRUE.equals(badInput);
  }
}
