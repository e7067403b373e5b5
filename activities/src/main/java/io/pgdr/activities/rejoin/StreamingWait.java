package io.pgdr.activities.rejoin;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.PostgresConnector;
import io.pgdr.activities.postgres.PostgresFailures;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.StandbyStreaming;
import io.temporal.failure.ApplicationFailure;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Waits for a rejoined standby to show up streaming in the primary's {@code pg_stat_replication}, under
 * the application name its primary_conninfo gives it (the pod's). A primary that does not answer for a
 * moment is asked again; what was last seen names the failure when the patience runs out.
 */
final class StreamingWait {

  private static final long POLL_MILLIS = 500;
  private static final String QUERY = "SELECT state, sent_lsn::text, replay_lsn::text, pg_wal_lsn_diff(sent_lsn, replay_lsn)"
      + " FROM pg_stat_replication WHERE application_name = ? ORDER BY state = 'streaming' DESC LIMIT 1";

  private final PostgresServer primary;
  private final Credentials credentials;
  private final Consumer<Object> heartbeat;
  private final Duration patience;

  StreamingWait(PostgresServer primary, Credentials credentials, Consumer<Object> heartbeat, Duration patience) {
    this.primary = primary;
    this.credentials = credentials;
    this.heartbeat = heartbeat;
    this.patience = patience;
  }

  StandbyStreaming await(String pod) {
    long deadline = System.nanoTime() + patience.toNanos();
    String lastSeen = "not connected";
    Connection connection = null;
    try {
      while (true) {
        heartbeat.accept("waiting for " + pod + " to stream from " + primary.pod() + " (" + lastSeen + ")");
        try {
          if (connection == null) {
            connection = PostgresConnector.forShortCalls().open(primary, "postgres", credentials);
          }
          try (PreparedStatement query = connection.prepareStatement(QUERY)) {
            query.setString(1, pod);
            try (ResultSet row = query.executeQuery()) {
              if (!row.next()) {
                lastSeen = "not connected";
              } else if ("streaming".equals(row.getString(1))) {
                BigDecimal lag = row.getBigDecimal(4);
                return new StandbyStreaming(pod, row.getString(1), row.getString(2), row.getString(3), lag == null ? 0 : lag.longValue());
              } else {
                // a user without pg_read_all_stats sees the row but not its state
                lastSeen = row.getString(1) == null ? "connected, its state not visible to pgdr's user" : "state " + row.getString(1);
              }
            }
          }
        } catch (SQLException e) {
          if (!PostgresFailures.isUnreachable(e)) {
            throw PostgresFailures.toFailure(primary, "postgres", "reading pg_stat_replication for " + pod, e);
          }
          close(connection);
          connection = null;
          lastSeen = "not connected (" + primary.pod() + " did not answer: " + e.getMessage() + ")";
        }
        if (System.nanoTime() > deadline) {
          throw ApplicationFailure.newFailure(pod + " is not streaming from " + primary.pod() + " after " + patience.toSeconds()
              + " s; last seen: " + lastSeen, FailureTypes.SERVER_UNREACHABLE);
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("waiting for " + pod + " to stream was interrupted: the worker is stopping", FailureTypes.INTERRUPTED);
    } finally {
      close(connection);
    }
  }

  private static void close(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // a lost connection is closed already
      }
    }
  }
}
