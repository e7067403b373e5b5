package io.pgdr.activities.postgres;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Waits until a standby has replayed the WAL up to a position (a fenced primary's last), polling
 * every 50 ms and heartbeating each poll: the moment it may be promoted without losing a byte.
 */
final class ReplayWait {

  private static final Duration POLL = Duration.ofMillis(50);

  private ReplayWait() {}

  /** @return the standby's replay position once at or past {@code lsn} */
  static String await(Connection standby, PostgresServer server, String lsn, Duration patience, Consumer<Object> heartbeat)
      throws SQLException, InterruptedException {
    Instant giveUp = Instant.now().plus(patience);
    try (PreparedStatement replayed = standby.prepareStatement(
        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, COALESCE(pg_last_wal_replay_lsn() >= ?::pg_lsn, false)")) {
      replayed.setString(1, lsn);
      while (true) {
        try (ResultSet row = replayed.executeQuery()) {
          row.next();
          String at = row.getString(2);
          if (!row.getBoolean(1)) {
            throw ApplicationFailure.newNonRetryableFailure(server.pod() + " is not a standby (out of recovery): it cannot be waited"
                + " on to replay " + lsn, FailureTypes.SQL_FAILED);
          }
          if (row.getBoolean(3)) {
            return at;
          }
          heartbeat.accept(server.pod() + " replayed " + at + ", waiting for " + lsn);
          if (Instant.now().isAfter(giveUp)) {
            throw ApplicationFailure.newFailure(server.pod() + " replayed only up to " + at + " of " + lsn + " within " + patience.toSeconds()
                + " s: it does not receive the primary's WAL", FailureTypes.SERVER_UNREACHABLE);
          }
        }
        Thread.sleep(POLL.toMillis());
      }
    }
  }
}
