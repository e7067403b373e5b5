package io.pgdr.activities.rejoin;

import io.pgdr.activities.backupformat.TimelineHistory;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.PostgresConnector;
import io.pgdr.activities.postgres.PostgresFailures;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a rejoin reads from the new primary over SQL, on one connection to its {@code postgres} database. */
final class NewPrimary implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NewPrimary.class);
  private static final String DATABASE = "postgres";

  private final PostgresServer server;
  private final Credentials credentials;
  private Connection connection;

  NewPrimary(PostgresServer server, Credentials credentials) {
    this.server = server;
    this.credentials = credentials;
  }

  /**
   * Makes the primary's control file name its current timeline. A promoted server writes its first
   * checkpoint on the new timeline only later (checkpoint_timeout), and until then pg_rewind, which
   * compares the control files, finds both servers "on the same timeline" and rewinds nothing: the
   * stale server would then start with its diverged WAL and never stream.
   */
  void checkpointSincePromotion() {
    try (Statement statement = connection().createStatement();
         ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery(), (SELECT timeline_id FROM pg_control_checkpoint()),"
             + " CASE WHEN pg_is_in_recovery() THEN 0 ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END")) {
      row.next();
      if (row.getBoolean(1)) {
        throw ApplicationFailure.newFailure(server.pod() + " (" + server.address() + ") is still in recovery: it is not a primary (yet)"
            + " that a stale server can follow", FailureTypes.SERVER_UNREACHABLE);
      }
      int checkpointed = row.getInt(2);
      int current = row.getInt(3);
      if (checkpointed < current) {
        log.info("{} has written no checkpoint on its timeline {} yet (its last is on {}): CHECKPOINT before pg_rewind", server.pod(),
            current, checkpointed);
        try {
          statement.execute("CHECKPOINT");
        } catch (SQLException e) {
          throw ApplicationFailure.newFailureWithCause(server.pod() + " has written no checkpoint on its timeline " + current
              + " since its promotion and pgdr's user may not run CHECKPOINT (" + e.getMessage() + "): pg_rewind would take both servers"
              + " for one timeline: retry after its own next checkpoint (checkpoint_timeout), or grant pg_checkpoint",
              FailureTypes.PERMISSION_DENIED, e);
        }
      }
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(server, DATABASE, "reading the checkpoint of " + server.pod(), e);
    }
  }

  /** The primary's own primary_conninfo (a promoted standby keeps the one it streamed with); empty when unset or not readable. */
  Optional<String> primaryConninfo() {
    try (Statement statement = connection().createStatement();
         ResultSet row = statement.executeQuery("SELECT setting FROM pg_settings WHERE name = 'primary_conninfo'")) {
      return row.next() ? Optional.ofNullable(row.getString(1)).filter(value -> !value.isBlank()) : Optional.empty();
    } catch (SQLException e) {
      if (PostgresFailures.isUnreachable(e)) {
        throw PostgresFailures.toFailure(server, DATABASE, "reading the primary_conninfo of " + server.pod(), e);
      }
      log.info("the primary_conninfo of {} is not readable ({}): not used", server.pod(), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Where the primary's history left {@code staleTimeline}: its own timeline history file says, when the
   * stale server's timeline is one of its ancestors. Empty when it is not, or the file is not readable
   * (reading it takes superuser or pg_read_server_files).
   */
  Optional<TimelineHistory.Switch> switchFrom(int staleTimeline) {
    try (PreparedStatement query = connection().prepareStatement(
        "SELECT t, CASE WHEN t > 1 THEN pg_read_file('pg_wal/' || lpad(upper(to_hex(t)), 8, '0') || '.history', 0, 1048576, true) END"
            + " FROM (SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS t) current");
         ResultSet row = query.executeQuery()) {
      row.next();
      int timeline = row.getInt(1);
      String text = row.getString(2);
      if (text == null || staleTimeline >= timeline) {
        return Optional.empty();
      }
      return TimelineHistory.parse(timeline, text).switches().stream().filter(s -> s.parent() == staleTimeline).findFirst();
    } catch (SQLException | IllegalArgumentException e) {
      log.info("the timeline history of {} is not readable ({}): where the servers parted stays unknown", server.pod(), e.getMessage());
      return Optional.empty();
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = PostgresConnector.forShortCalls().open(server, DATABASE, credentials);
    }
    return connection;
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // a lost connection is closed already
      }
      connection = null;
    }
  }
}
