package io.pgdr.ports;

import io.pgdr.target.DatabaseTarget;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/** The readiness check (runbook 000 §6): read-only, from the worker's own clients. */
@ActivityInterface
public interface ReadinessActivities {

  /** A handful of reads (API server, each server, two listings of the store, long for a big bucket); it heartbeats meanwhile. */
  CallOptions CHECK = CallOptions.heartbeating(Duration.ofMinutes(15), 2, Duration.ofSeconds(1))
      .notRetrying(FailureTypes.CREDENTIALS_UNAVAILABLE);

  CallTable<ReadinessActivities> CALLS = CallTable.of(ReadinessActivities.class)
      .calls(CHECK, "checkReadiness")
      .build();

  /**
   * The StatefulSet's pods, a primary answering, replication to each standby and its lag against the
   * RPO, the recommended settings, the newest valid backup's age against the RPO, the WAL archive's
   * continuity when there is one, and the Kubernetes permissions the worker needs. Changes nothing;
   * what cannot be checked is a failed or warned item, not an exception.
   */
  @ActivityMethod
  ReadinessReport checkReadiness(DatabaseTarget target);
}
