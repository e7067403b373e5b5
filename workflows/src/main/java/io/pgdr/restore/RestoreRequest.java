package io.pgdr.restore;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a restore, from the CLI or the UI's start page.
 *
 * @param incidentStart when the data went bad or was lost (the RTO clock's zero, and what RPO is
 *     counted to); null means when the run starts
 * @param backupKey the backup to restore (a manifest or dump key, as {@code pgdr backup list}
 *     shows it); null takes the latest valid one
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 * @param planOnly true: diagnose, then end with the plan (outcome {@code planned}), changing nothing
 *     (the CLI's {@code --plan}); null or false: recover
 */
public record RestoreRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, String backupKey, ApprovalDecision preApproval,
    Boolean planOnly) {

  /** A request to recover, as runs were started before plans could be asked for. */
  public RestoreRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, String backupKey, ApprovalDecision preApproval) {
    this(target, incidentStart, requestedBy, backupKey, preApproval, null);
  }
}
