package io.pgdr.activities.report;

import io.pgdr.incident.IncidentOutcome;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import java.time.Instant;

/**
 * One line of the runbook's incident history (runbook 000, "Historico de Incidentes"): date, cause,
 * resolution, real RPO, real RTO; with the scenario, who approved and the outcome.
 *
 * @param rpoSeconds the writes lost, in seconds; null when the run did not measure it
 * @param rtoSeconds from the incident to the verified database; null when it was not recovered
 */
public record HistoryRow(Instant date, String scenario, String cause, String resolution, Double rpoSeconds, Double rtoSeconds,
    Long rpoObjectiveSeconds, Long rtoObjectiveSeconds, String approver, String outcome, String workflowId) {

  /** A figure in seconds as the history shows it ({@code 12.5 s}), or {@code -} when there is none. */
  public static String seconds(Double value) {
    return value == null ? "-" : String.format("%.1f s", value);
  }

  public static HistoryRow of(RecoveryReport report) {
    return new HistoryRow(report.incidentStart(), report.scenario(), cause(report), report.message(),
        report.rpo() == null ? null : report.rpo().lostSeconds(), report.rto() == null ? null : report.rto().measuredSeconds(),
        report.rpo() == null ? null : report.rpo().objectiveSeconds(), report.rto() == null ? null : report.rto().objectiveSeconds(),
        approver(report), report.outcome(), report.workflowId());
  }

  /** What the run was started for: an incident's cause; a drill is its own cause. */
  private static String cause(RecoveryReport report) {
    if (report.result() instanceof IncidentOutcome incident && incident.cause() != null && !incident.cause().isBlank()) {
      return incident.cause();
    }
    return "FailoverDrill".equals(report.scenario()) ? "scheduled or manual drill" : "-";
  }

  /** Who approved the change: a person, a target's policy, or nobody (nothing needed approving). */
  private static String approver(RecoveryReport report) {
    return report.approvals().stream().filter(ApprovalRecord::approved).reduce((a, b) -> b)
        .map(a -> a.by() == null ? "-" : a.by()).orElse(report.approvals().isEmpty() ? "not needed" : "nobody");
  }
}
