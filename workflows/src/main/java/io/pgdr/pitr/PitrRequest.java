package io.pgdr.pitr;

import io.pgdr.ports.PitrTarget;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a point-in-time recovery, from the CLI or the UI's start page.
 *
 * @param incidentStart when the data went bad (the RTO clock's zero; the RPO is counted from the
 *     recovery target to it); null means when the run starts
 * @param recoveryTarget where recovery stops: a time, a WAL location, a transaction id or a restore point
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 * @param planOnly true: diagnose and validate the target, then end with the plan, changing nothing
 */
public record PitrRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, PitrTarget recoveryTarget,
    ApprovalDecision preApproval, Boolean planOnly) {}
