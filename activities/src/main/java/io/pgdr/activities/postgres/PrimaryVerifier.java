package io.pgdr.activities.postgres;

import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.SqlIdentifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runbook 000 §4 after a recovery: not in recovery, accepts a write, integrity tables counted,
 * sessions listed. Each failed check becomes a problem in the result rather than an exception, so
 * one missing table does not hide the answers to the other checks. A lost connection still throws.
 */
final class PrimaryVerifier {

  private static final String UNDEFINED_TABLE = "42P01";

  private static final String PROBE_UPSERT = """
      INSERT INTO pgdr.probe (run_id) VALUES (?)
      ON CONFLICT (run_id) DO UPDATE SET written_at = now()
      """;

  private static final String SESSIONS = """
      SELECT coalesce(nullif(application_name, ''), '(none)') || '/' || coalesce(state, '(unknown)')
        FROM pg_stat_activity
       WHERE datname = ? AND pid <> pg_backend_pid()
       ORDER BY backend_start
      """;

  private PrimaryVerifier() {}

  static VerificationResult verify(Connection connection, PostgresServer server, List<String> tables, String runId)
      throws SQLException {
    List<String> problems = new ArrayList<>();
    boolean primary = !RecoveryState.inRecovery(connection);
    boolean probed = false;
    if (!primary) {
      problems.add(server.pod() + " is in recovery (still a standby)");
    } else {
      probed = probe(connection, runId, problems);
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : tables) {
      count(connection, table, counts, problems);
    }
    return new VerificationResult(server.pod(), primary, probed, counts, sessions(connection, server.database()),
        problems);
  }

  // Keyed by run: a retried verification rewrites its own row instead of adding one.
  private static boolean probe(Connection connection, String runId, List<String> problems) throws SQLException {
    try {
      try (Statement ddl = connection.createStatement()) {
        ddl.execute("CREATE SCHEMA IF NOT EXISTS pgdr");
        ddl.execute("CREATE TABLE IF NOT EXISTS pgdr.probe ("
            + "run_id text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
      }
      try (PreparedStatement upsert = connection.prepareStatement(PROBE_UPSERT)) {
        upsert.setString(1, runId);
        upsert.executeUpdate();
      }
      try (PreparedStatement read = connection.prepareStatement("SELECT written_at FROM pgdr.probe WHERE run_id = ?")) {
        read.setString(1, runId);
        try (ResultSet row = read.executeQuery()) {
          if (row.next()) {
            return true;
          }
        }
      }
      problems.add("probe row for run " + runId + " was written but not read back");
      return false;
    } catch (SQLException e) {
      rethrowIfConnectionLost(e);
      problems.add("probe write failed: " + e.getMessage());
      return false;
    }
  }

  private static void count(Connection connection, String table, Map<String, Long> counts, List<String> problems)
      throws SQLException {
    if (!SqlIdentifiers.isQualifiedName(table)) {
      problems.add("'" + table + "' is not a table name (table or schema.table)");
      return;
    }
    // quote() is the only way a name reaches SQL: identifiers cannot be bound as parameters
    try (PreparedStatement statement =
             connection.prepareStatement("SELECT count(*) FROM " + SqlIdentifiers.quote(table));
         ResultSet row = statement.executeQuery()) {
      row.next();
      counts.put(table, row.getLong(1));
    } catch (SQLException e) {
      rethrowIfConnectionLost(e);
      problems.add(UNDEFINED_TABLE.equals(e.getSQLState())
          ? "table " + table + " does not exist"
          : "count of " + table + " failed: " + e.getMessage());
    }
  }

  private static List<String> sessions(Connection connection, String database) throws SQLException {
    List<String> sessions = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(SESSIONS)) {
      statement.setString(1, database);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          sessions.add(rows.getString(1));
        }
      }
    }
    return sessions;
  }

  private static void rethrowIfConnectionLost(SQLException e) throws SQLException {
    if (PostgresFailures.isUnreachable(e)) {
      throw e;
    }
  }
}
