package io.pgdr.ports;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/** SQL work on one pod's server. Each call resolves its credentials itself from the reference. */
@ActivityInterface
public interface PostgresActivities {

  /**
   * Inspecting and fencing run as local activities on the outage's critical path (see
   * {@link KubernetesActivities#CRITICAL_PATH}): login within 6 s, statements within 30 s; a dead
   * server is an answer, not a failure.
   */
  CallOptions CRITICAL_PATH = CallOptions.local(Duration.ofSeconds(45), Duration.ofSeconds(90), 3, Duration.ofSeconds(1));
  /**
   * Promotion, a local activity too: fence, promote and repoint follow each other within one
   * workflow task while the database is down. It waits up to a minute for the server to leave
   * recovery; a worker lost meanwhile is noticed by the workflow task's timeout, and the next
   * worker promotes again, which {@code promoteServer} tolerates.
   */
  CallOptions PROMOTION = CallOptions.local(Duration.ofMinutes(2), null, 3, Duration.ofSeconds(1));
  /** Verification: a write probe and {@code count(*)} of the integrity tables, minutes for big ones; it heartbeats meanwhile. */
  /** A drill's short statements: a switchover's hundred markers or their count, a scratch server's role names. */
  CallOptions DRILL_MARKERS = CallOptions.activity(Duration.ofMinutes(2), 3, Duration.ofSeconds(1));
  /** A streaming standby replays a fenced primary's last WAL in moments; the call gives up after two minutes. */
  CallOptions REPLAY = CallOptions.heartbeating(Duration.ofMinutes(3), 2, Duration.ofSeconds(1));
  CallOptions VERIFICATION = CallOptions.heartbeating(Duration.ofMinutes(30), 3, Duration.ofSeconds(1));

  CallTable<PostgresActivities> CALLS = CallTable.of(PostgresActivities.class)
      .calls(CRITICAL_PATH, "inspectServer", "fenceServer", "describeConnections", "terminateIdleSessions")
      .calls(PROMOTION, "promoteServer")
      .calls(VERIFICATION, "verifyPrimary")
      .calls(DRILL_MARKERS, "writeMarkers", "countMarkers", "copyRoleNames")
      .calls(REPLAY, "awaitReplayed")
      .build();

  /**
   * Recovery state, WAL positions and replication of a server. Read-only; an unreachable server
   * is an answer ({@link ServerState#reachable()} false), not a failure.
   */
  @ActivityMethod
  ServerState inspectServer(PostgresServer server);

  /**
   * Makes a reachable old primary refuse writes for good ({@code ALTER SYSTEM SET
   * default_transaction_read_only}, kept across restarts) and ends its client sessions.
   * Idempotent: a fenced server is fenced again with no harm. Unreachable: reports so.
   */
  @ActivityMethod
  FenceResult fenceServer(PostgresServer server);

  /**
   * {@code pg_promote()} and waits until {@code pg_is_in_recovery()} is false. Idempotent: a
   * server already out of recovery is reported as such and left alone.
   */
  @ActivityMethod
  PromotionResult promoteServer(PostgresServer server);

  /**
   * Not in recovery, a durable write that creates nothing in the application's database (sessions
   * not read-only, a transactional WAL message committed and flushed; a retry writes another
   * message), row counts of the integrity tables, and the sessions connected.
   */
  @ActivityMethod
  VerificationResult verifyPrimary(PostgresServer server, List<String> integrityTables, String runId);

  /**
   * Client sessions by state against {@code max_connections}, and the sessions idle in a
   * transaction or running a query for longer than {@code longerThan} (runbook 004 §4.2). Read-only.
   */
  @ActivityMethod
  ConnectionsReport describeConnections(PostgresServer server, Duration longerThan);

  /**
   * Ends the {@code approved} sessions that are, at that instant, still the same sessions (pid and
   * start), idle in a transaction for at least {@code olderThan}, and not pgdr's; never an active
   * one. Idempotent: a session an earlier attempt ended is reported gone.
   */
  @ActivityMethod
  TerminatedSessions terminateIdleSessions(PostgresServer server, List<ClientSession> approved, Duration olderThan);

  /**
   * A switchover drill's markers {@code from}..{@code to}, each its own transaction, in the drill's
   * scratch database on {@code server} (made if missing; only a drill's scratch name is accepted).
   * Idempotent: a marker already there is not written again.
   *
   * @return the server's WAL position after them
   */
  @ActivityMethod
  String writeMarkers(PostgresServer server, String scratchDatabase, String runId, int from, int to);

  /**
   * Creates on {@code to} (a drill's new scratch server) each role {@code from} has that {@code to}
   * lacks, by name only: NOLOGIN, no password, no attribute, no membership. A restore keeps its
   * objects' owners and grants, which name those roles. PostgreSQL's own roles ({@code pg_*}) are
   * left out. Idempotent: a role already there is left as it is.
   *
   * @return the roles this call created
   */
  @ActivityMethod
  List<String> copyRoleNames(PostgresServer from, PostgresServer to);

  /** The run's markers on {@code server}; 0 when its scratch database is not there. Read-only. */
  @ActivityMethod
  long countMarkers(PostgresServer server, String scratchDatabase, String runId);

  /**
   * Waits until the standby has replayed the WAL up to {@code lsn} (a fenced primary's last position):
   * then it can be promoted without losing a byte. Read-only.
   *
   * @return the standby's replay position then
   */
  @ActivityMethod
  String awaitReplayed(PostgresServer standby, String lsn);
}
