package io.pgdr.drill;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a drill, from the CLI, the UI's start page or a schedule.
 *
 * @param incidentStart the RTO clock's zero; null means the run's start (a drill has no incident)
 * @param preApproval a decision given up front (the CLI's {@code --yes}) for a {@code switchover}; unused by
 *     {@code restore-rehearsal}, whose plan leaves the application's data alone
 * @param planOnly true: diagnose, then end with the plan, changing nothing
 * @param mode {@value DrillModes#RESTORE_REHEARSAL} (null means it) or {@value DrillModes#SWITCHOVER}
 */
public record FailoverDrillRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly, String mode) {

  /** The drill's mode, its default when none was given. */
  public String modeOrDefault() {
    return mode == null || mode.isBlank() ? DrillModes.RESTORE_REHEARSAL : mode;
  }
}
