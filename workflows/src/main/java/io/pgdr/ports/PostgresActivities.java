package io.pgdr.ports;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** SQL work on one pod's server. Each call resolves its credentials itself from the reference. */
@ActivityInterface
public interface PostgresActivities {

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
}
