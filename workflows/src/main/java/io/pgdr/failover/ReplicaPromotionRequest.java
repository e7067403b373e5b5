package io.pgdr.failover;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a failover, from the CLI or the UI's start page.
 *
 * @param incidentStart when the outage began (the RTO clock's zero); null means when the run starts
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 */
public record ReplicaPromotionRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval) {}
