package io.pgdr.ports;

import io.pgdr.target.DatabaseTarget;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * Patroni's REST API on a Patroni-managed target ({@link DatabaseTarget#patroni()}): how Patroni
 * sees the cluster, and a failover or switchover asked of it, never by running patronictl.
 */
@ActivityInterface
public interface PatroniActivities {

  /** A read of the REST API: seconds; a retry rides out a member restarting. */
  CallOptions READ = CallOptions.activity(Duration.ofSeconds(30), 3, Duration.ofSeconds(1));

  /**
   * A failover or switchover: Patroni answers once the candidate leads (seconds). Not retried on a
   * refusal (412, 400: nothing changed); a retry after a lost answer looks at the cluster first.
   */
  CallOptions REQUEST = CallOptions.activity(Duration.ofMinutes(2), 3, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.PATRONI_REFUSED, FailureTypes.CREDENTIALS_UNAVAILABLE);

  CallTable<PatroniActivities> CALLS = CallTable.of(PatroniActivities.class)
      .calls(READ, "describePatroni")
      .calls(REQUEST, "requestFailover")
      .build();

  /** {@code GET /cluster} from the first of {@code pods} whose REST API answers; read-only. */
  @ActivityMethod
  PatroniView describePatroni(DatabaseTarget target, List<String> pods);

  /**
   * Asks Patroni to make {@code candidate} the leader: {@code POST /switchover} with {@code leader}
   * when it is healthy (planned), else {@code POST /failover}, of the member that answered. Asked at
   * most once: when the candidate leads already nothing is asked ({@link PatroniAnswer#ALREADY}),
   * and a retried attempt never asks ({@link PatroniAnswer#UNKNOWN}: follow the cluster). After a
   * 200 or a 503 the cluster says whether it happened: {@link PatroniAnswer#ACCEPTED} when the
   * candidate leads, else UNKNOWN. A refusal (412 "no good candidates", a candidate Patroni would
   * not take, 400) fails with {@link FailureTypes#PATRONI_REFUSED}, not retried.
   *
   * @param leader the current leader for a switchover; null for a failover
   */
  @ActivityMethod
  PatroniAnswer requestFailover(DatabaseTarget target, List<String> pods, String candidate, String leader);
}
