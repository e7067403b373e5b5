package io.pgdr.activities.postgres;

import io.pgdr.ports.FailureTypes;
import io.pgdr.restore.DatabaseNames;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A switchover drill's marker rows: written on the primary before each switch, in the drill's own
 * scratch database (never the application's), and counted on the new primary after it. Every row
 * is its own committed transaction, as an application's writes are.
 */
final class DrillMarkers {

  static final String TABLE = "pgdr_drill_marker";
  private static final String DUPLICATE_DATABASE = "42P04";
  private static final String UNDEFINED_DATABASE = "3D000";

  private DrillMarkers() {}

  /** Only a drill's scratch database holds markers: a name pgdr made, safe to quote as it is. */
  static void requireScratch(String database) {
    if (!DatabaseNames.isDrillScratch(database)) {
      throw ApplicationFailure.newNonRetryableFailure("a drill writes its markers only into its own scratch database (<db>_pgdr_drill_<run>),"
          + " not '" + database + "'", FailureTypes.INVALID_DATABASE_NAME);
    }
  }

  /** Creates the scratch database unless an earlier attempt did. */
  static void createDatabase(Connection maintenance, String database) throws SQLException {
    try (PreparedStatement exists = maintenance.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, database);
      try (ResultSet row = exists.executeQuery()) {
        if (row.next()) {
          return;
        }
      }
    }
    try (Statement create = maintenance.createStatement()) {
      create.execute("CREATE DATABASE \"" + database + "\"");
    } catch (SQLException e) {
      if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /**
   * Writes markers {@code from}..{@code to} of the run (a retry writes none twice) and returns the
   * primary's WAL position after them: what a standby must have replayed for them to survive a switch.
   */
  static String write(Connection scratch, String runId, int from, int to) throws SQLException {
    scratch.setAutoCommit(true);
    try (Statement ddl = scratch.createStatement()) {
      ddl.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (run text NOT NULL, n int NOT NULL,"
          + " at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run, n))");
    }
    try (PreparedStatement insert = scratch.prepareStatement("INSERT INTO " + TABLE + " (run, n) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      for (int n = from; n <= to; n++) {
        insert.setString(1, runId);
        insert.setInt(2, n);
        insert.executeUpdate();
      }
    }
    try (Statement position = scratch.createStatement(); ResultSet row = position.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      row.next();
      return row.getString(1);
    }
  }

  /** The run's markers on this server; 0 when its scratch database is not there. */
  static long count(Connection scratch, String runId) throws SQLException {
    try (PreparedStatement count = scratch.prepareStatement("SELECT count(*) FROM " + TABLE + " WHERE run = ?")) {
      count.setString(1, runId);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  static boolean isMissingDatabase(SQLException e) {
    return UNDEFINED_DATABASE.equals(e.getSQLState());
  }
}
