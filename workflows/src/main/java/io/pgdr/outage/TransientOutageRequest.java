package io.pgdr.outage;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Duration;
import java.time.Instant;

/**
 * One JSON record starts a wait for a transient outage ({@code pgdr wait-recovery}), from the CLI,
 * the UI's start page or an incident.
 *
 * @param incidentStart when the database stopped answering (the RTO clock's zero); null: the run's start
 * @param preApproval a decision given up front (the CLI's {@code --yes}) for the pod restart; null asks
 * @param planOnly true: look once, then end with the plan, changing nothing
 * @param checkEvery how often the run looks again; null: {@link #DEFAULT_CHECK}
 * @param escalateAt the share of the RTO after which a database still down is escalated to a
 *     failover; null: {@link #DEFAULT_ESCALATION}
 */
public record TransientOutageRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly, Duration checkEvery, Double escalateAt) {

  /** Runbook 004 §1.2: look again every 30 s. */
  public static final Duration DEFAULT_CHECK = Duration.ofSeconds(30);
  /** Half the RTO spent waiting: the rest is what a failover needs. */
  public static final double DEFAULT_ESCALATION = 0.5;

  public Duration check() {
    return checkEvery == null ? DEFAULT_CHECK : checkEvery;
  }

  public double escalation() {
    return escalateAt == null ? DEFAULT_ESCALATION : escalateAt;
  }
}
