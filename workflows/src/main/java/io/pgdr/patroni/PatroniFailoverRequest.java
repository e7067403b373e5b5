package io.pgdr.patroni;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;

/**
 * One JSON record starts a Patroni failover or switchover, from the CLI or the UI's start page.
 *
 * @param incidentStart when the outage began (the RTO clock's zero); null means when the run starts
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 * @param planOnly true: diagnose, then end with the plan, changing nothing (the CLI's {@code --plan})
 * @param candidate the member to make leader; null lets pgdr choose the healthy replica with the least lag
 * @param switchover true: a planned handover from a healthy leader ({@code POST /switchover}); null
 *     or false: a failover from a leader that is down ({@code POST /failover})
 */
public record PatroniFailoverRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly, String candidate, Boolean switchover) {}
