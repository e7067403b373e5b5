package io.pgdr.activities.postgres;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Promotes a standby and waits until it accepts writes.
 *
 * <p>{@code pg_promote(wait => false)} and a poll here, rather than {@code pg_promote(true, 60)}:
 * a statement that blocks for up to a minute cannot heartbeat and would outlive the socket
 * timeout, while the poll reports progress and keeps its own deadline. A retry during a promotion
 * in progress signals it again, which PostgreSQL ignores.
 */
final class Promotion {


  // a promotion takes tens of milliseconds and every one of them is downtime; a poll costs a
  // fraction of a millisecond, and the SDK throttles the heartbeats it sends to the server
  private static final Duration POLL = Duration.ofMillis(10);

  private final Duration timeout;
  private final Consumer<Object> heartbeat;

  Promotion(Duration timeout, Consumer<Object> heartbeat) {
    this.timeout = timeout;
    this.heartbeat = heartbeat;
  }

  PromotionResult promote(Connection connection, PostgresServer server) throws SQLException, InterruptedException {
    if (!RecoveryState.inRecovery(connection)) {
      return new PromotionResult(server.pod(), true, null, currentLsn(connection));
    }
    if (PatroniEvidence.managed(connection)) {
      throw ApplicationFailure.newNonRetryableFailure(server.pod() + " (" + server.address() + ") is managed by Patroni (Patroni's"
          + " sessions or files are on it): pg_promote behind Patroni's back would leave two leaders. Fail over"
          + " through Patroni (its REST API POST /failover, or patronictl failover --candidate " + server.pod() + ")",
          FailureTypes.PATRONI_MANAGED);
    }
    String replayedBefore = text(connection, "SELECT pg_last_wal_replay_lsn()::text");
    try (PreparedStatement promote = connection.prepareStatement("SELECT pg_promote(wait => false)");
         ResultSet ignored = promote.executeQuery()) {
      // true means the signal was sent; the poll below is what proves the promotion
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (RecoveryState.inRecovery(connection)) {
      if (System.nanoTime() > deadline) {
        throw ApplicationFailure.newFailure(server.pod() + " (" + server.address() + ") still in recovery "
            + timeout.toSeconds() + " s after pg_promote(); see its server log", FailureTypes.PROMOTION_TIMED_OUT);
      }
      heartbeat.accept("promoting " + server.pod() + ", replayed up to " + replayedBefore);
      Thread.sleep(POLL.toMillis());
    }
    return new PromotionResult(server.pod(), false, replayedBefore, currentLsn(connection));
  }

  private static String currentLsn(Connection connection) throws SQLException {
    return text(connection, "SELECT pg_current_wal_lsn()::text");
  }

  private static String text(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql);
         ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getString(1);
    }
  }
}
