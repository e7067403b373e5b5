package io.pgdr.run;

import io.pgdr.ports.VerificationResult;
import java.time.Instant;
import java.util.List;

/**
 * The evidence a run leaves: what happened, when, who approved, and the measured RTO and RPO.
 * {@code outcome} is succeeded, failed or aborted; {@code message} says why in a sentence.
 * {@code restore} is filled by the restore scenario only.
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
    RestoreSummary restore) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String ABORTED = "aborted";
}
