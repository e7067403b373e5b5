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
  CallOptions REQUEST = CallOptions.heartbeating(Duration.ofMinutes(2), 3, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.PATRONI_REFUSED, FailureTypes.CREDENTIALS_UNAVAILABLE, FailureTypes.CREDENTIALS_REFUSED);

  /** Following the cluster: up to the wait asked for, a heartbeat per look. */
  CallOptions FOLLOW = CallOptions.heartbeating(Duration.ofMinutes(10), 3, Duration.ofSeconds(1));

  CallTable<PatroniActivities> CALLS = CallTable.of(PatroniActivities.class)
      .calls(READ, "describePatroni")
      .calls(REQUEST, "requestFailover")
      .calls(FOLLOW, "awaitMember")
      .build();

  /** {@code GET /cluster} from the first of {@code pods} whose REST API answers; read-only. */
  @ActivityMethod
  PatroniView describePatroni(DatabaseTarget target, List<String> pods);

  /**
   * Asks Patroni to make {@code candidate} the leader: {@code POST /switchover} with {@code leader}
   * when it is healthy (planned), else {@code POST /failover}, of the member that answered. Asked at
   * most once: when the candidate leads already nothing is asked ({@link PatroniAnswer#ALREADY}), and
   * an attempt records by heartbeat that it is asking before it asks, so a retry after a lost worker
   * asks only when no earlier attempt got that far (else {@link PatroniAnswer#UNKNOWN}: follow the cluster). After a
   * 200 or a 503 the cluster says whether it happened: {@link PatroniAnswer#ACCEPTED} when the
   * candidate leads, else UNKNOWN. A refusal (412 "no good candidates", a candidate Patroni would
   * not take, 400) fails with {@link FailureTypes#PATRONI_REFUSED}, not retried.
   *
   * @param leader the current leader for a switchover; null for a failover
   */
  @ActivityMethod
  PatroniAnswer requestFailover(DatabaseTarget target, List<String> pods, String candidate, String leader);

  /**
   * Looks at {@code GET /cluster} every second until {@code member} holds {@code role}: as
   * {@link #LEADER}, the leader key with its server running; as {@link #REPLICA}, a running replica on
   * the leader's timeline (a member that did not follow the new leader is still on the old one).
   * Ends early, as a replica, when the member is missing from the cluster: no Patroni runs for it,
   * so it cannot rejoin by itself. Returns the last view either way: the caller judges it.
   */
  @ActivityMethod
  PatroniView awaitMember(DatabaseTarget target, List<String> pods, String member, String role, Duration within);

  String LEADER = "leader";
  String REPLICA = "replica";
}
