package io.pgdr.failover;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a failover, from the CLI or the UI's start page.
 *
 * @param incidentStart when the outage began (the RTO clock's zero); null means when the run starts
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 * @param planOnly true: diagnose, then end with the plan (outcome {@code planned}), changing nothing
 *     (the CLI's {@code --plan}); null or false: recover
 */
public record ReplicaPromotionRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly) {

  /** A request to recover, as runs were started before plans could be asked for. */
  public ReplicaPromotionRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval) {
    this(target, incidentStart, requestedBy, preApproval, null);
  }
}
