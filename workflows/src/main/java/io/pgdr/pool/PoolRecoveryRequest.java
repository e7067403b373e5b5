package io.pgdr.pool;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import java.time.Duration;
import java.time.Instant;

/**
 * One JSON record starts a connection pool recovery, from the CLI or the UI's start page.
 *
 * @param incidentStart when the connections ran out (the RTO clock's zero); null means when the run starts
 * @param preApproval a decision given up front (the CLI's {@code --yes}); null asks at the gate
 * @param planOnly true: diagnose, then end with the plan, changing nothing
 * @param idleLongerThan a session idle in a transaction for longer is ended; null: {@link #DEFAULT_IDLE}
 * @param raisePoolTo the applications' new pool size, set in the target's {@code poolSize} ConfigMap
 *     key (then the Deployments restarted); null leaves the pool size alone
 */
public record PoolRecoveryRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly, Duration idleLongerThan, Integer raisePoolTo) {

  /** A recovery that leaves the pool size alone. */
  public PoolRecoveryRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
      Boolean planOnly, Duration idleLongerThan) {
    this(target, incidentStart, requestedBy, preApproval, planOnly, idleLongerThan, null);
  }

  /** Runbook 004 §4.3: idle in a transaction for five minutes. */
  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(300);

  /** The threshold this run uses. */
  public Duration threshold() {
    return idleLongerThan == null ? DEFAULT_IDLE : idleLongerThan;
  }
}
