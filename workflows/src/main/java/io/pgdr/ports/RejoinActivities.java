package io.pgdr.ports;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/**
 * Bringing a stale server (an old primary, a standby left on another timeline) back as a streaming
 * standby of the new primary (runbook 000 §5, item 2). The server's pod is held stopped by the
 * Kubernetes port meanwhile; these calls work on its data directory and read the new primary.
 */
@ActivityInterface
public interface RejoinActivities {

  /** Reads (a pg_rewind dry run, pg_waldump over the diverged WAL): minutes at most; heartbeats. */
  CallOptions INSPECT = CallOptions.heartbeating(Duration.ofMinutes(10), 3, Duration.ofSeconds(1))
      .notRetrying(FailureTypes.CREDENTIALS_UNAVAILABLE, FailureTypes.DATA_VOLUME_UNUSABLE);
  /** A rewind takes seconds to minutes, a fresh copy as long as the database is large: hours; heartbeats. */
  CallOptions REJOIN = CallOptions.heartbeating(Duration.ofHours(12), 3, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.CREDENTIALS_UNAVAILABLE, FailureTypes.DATA_VOLUME_UNUSABLE, FailureTypes.REJOIN_FAILED);
  /** Waiting for the started standby to connect and stream: a minute normally, more after a long catch-up. */
  CallOptions STREAMING = CallOptions.heartbeating(Duration.ofMinutes(15), 2, Duration.ofSeconds(1))
      .notRetrying(FailureTypes.CREDENTIALS_UNAVAILABLE);

  CallTable<RejoinActivities> CALLS = CallTable.of(RejoinActivities.class)
      .calls(INSPECT, "inspectDivergence")
      .calls(REJOIN, "rejoinAsStandby")
      .calls(STREAMING, "awaitStreaming")
      .build();

  /**
   * How the stopped server's data directory in {@code volume} parted from {@code primary}'s history,
   * and which way it can come back. Changes nothing. Fails (retryably) while the server still runs.
   */
  @ActivityMethod
  Divergence inspectDivergence(DataVolume volume, PostgresServer stale, PostgresServer primary);

  /**
   * Makes the stopped server's data directory a standby of {@code primary}: rewound, or copied afresh
   * with the old directory kept beside it, then {@code standby.signal} and a {@code primary_conninfo}
   * naming the pod as its application. Its own configuration files stay its own. Idempotent: a
   * directory already made a standby of this primary is left as it is; a rewind an earlier attempt
   * began and did not finish is never trusted (a fresh copy follows).
   *
   * @param primary where the worker reaches the primary (the rewind's or the copy's source)
   * @param streamFrom {@code host:port} the standby streams from ({@link io.pgdr.target.DatabaseTarget#replicationEndpoint()})
   */
  @ActivityMethod
  RejoinResult rejoinAsStandby(DataVolume volume, PostgresServer stale, PostgresServer primary, String streamFrom, Divergence divergence,
      String runId);

  /** Waits until {@code primary}'s {@code pg_stat_replication} shows {@code pod} streaming. */
  @ActivityMethod
  StandbyStreaming awaitStreaming(PostgresServer primary, String pod);
}
