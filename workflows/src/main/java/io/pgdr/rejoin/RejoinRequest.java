package io.pgdr.rejoin;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a rejoin, from the CLI, the UI's start page, or a recovery that offers it
 * as its last step.
 *
 * @param incidentStart null: the run's start
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 * @param planOnly true: diagnose, then end with the plan, changing nothing
 * @param replicas the StatefulSet's replica count to come back to when a recovery left it short (a
 *     point-in-time recovery runs one pod): the pods beyond its count now come back held and are
 *     rejoined too; null leaves the count as it is
 */
public record RejoinRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly, Integer replicas) {}
