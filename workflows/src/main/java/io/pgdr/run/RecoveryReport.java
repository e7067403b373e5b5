package io.pgdr.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.pgdr.failover.PromotionOutcome;
import io.pgdr.ports.VerificationResult;
import io.pgdr.restore.RestoreOutcome;
import java.time.Instant;
import java.util.List;

/**
 * The evidence a run leaves, the same for every scenario: what happened, when, who approved, the
 * measured RTO and RPO, what was changed and what is left. {@code outcome} is succeeded, failed,
 * aborted, cancelled or planned; {@code message} says why in a sentence or two. What only one scenario has
 * is in {@code result}, a record its package owns.
 *
 * @param plan the steps the approver saw (or that {@code --plan} printed); null when the run
 *     ended before its diagnosis
 * @param changes what the run changed, in order, and what each leaves for a person
 * @param result the scenario's own outcome; null when the run ended before it found anything
 * @param badInput true when the run failed on its input (the target, the bucket or prefix, the
 *     backup named) before changing anything; null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecoveryReport(
    String scenario,
    String database,
    String workflowId,
    String outcome,
    String message,
    Instant incidentStart,
    Instant finishedAt,
    RtoFigures rto,
    RpoFigures rpo,
    List<ApprovalRecord> approvals,
    List<StepRecord> steps,
    VerificationResult verification,
    List<PlannedStep> plan,
    List<ChangeRecord> changes,
    ScenarioOutcome result,
    Boolean badInput) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String ABORTED = "aborted";
  /** The run was cancelled from Temporal: it undid what it could; its report is in its {@code status}. */
  public static final String CANCELLED = "cancelled";
  /** The run diagnosed and printed its plan, as asked, and changed nothing. */
  public static final String PLANNED = "planned";

  /**
   * Reads a report, also one written before scenarios owned their results: those carried the new
   * primary ({@code newPrimary}) and the restore ({@code restore}) in fields of their own.
   */
  @JsonCreator
  static RecoveryReport read(@JsonProperty("scenario") String scenario, @JsonProperty("database") String database,
      @JsonProperty("workflowId") String workflowId, @JsonProperty("outcome") String outcome, @JsonProperty("message") String message,
      @JsonProperty("incidentStart") Instant incidentStart, @JsonProperty("finishedAt") Instant finishedAt,
      @JsonProperty("rto") RtoFigures rto, @JsonProperty("rpo") RpoFigures rpo, @JsonProperty("approvals") List<ApprovalRecord> approvals,
      @JsonProperty("steps") List<StepRecord> steps, @JsonProperty("verification") VerificationResult verification,
      @JsonProperty("plan") List<PlannedStep> plan, @JsonProperty("changes") List<ChangeRecord> changes,
      @JsonProperty("result") ScenarioOutcome result, @JsonProperty("badInput") Boolean badInput,
      @JsonProperty("newPrimary") String newPrimary, @JsonProperty("restore") RestoreOutcome restore) {
    ScenarioOutcome owned = result != null ? result
        : restore != null ? restore
        : newPrimary != null ? PromotionOutcome.before(newPrimary) : null;
    return new RecoveryReport(scenario, database, workflowId, outcome, message, incidentStart, finishedAt, rto, rpo,
        approvals == null ? List.of() : approvals, steps == null ? List.of() : steps, verification, plan,
        changes == null ? List.of() : changes, owned, badInput);
  }

  /** The run failed on bad input and changed nothing: the CLI exits with "bad input", not "recovery failed". */
  public boolean failedOnInput() {
    return FAILED.equals(outcome) && Boolean.TRUE.equals(badInput);
  }
}
