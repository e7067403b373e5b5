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

  /**
   * A transactional WAL message: it takes a transaction ID and commits like any write, so it proves
   * the server takes durable writes, and it creates nothing in the application's database (a probe
   * table would be an object the database did not have, and a restore must equal its backup).
   */
  private static final String PROBE_MESSAGE = "SELECT pg_logical_emit_message(true, 'pgdr', ?)";
  private static final String FLUSHED_PAST = "SELECT pg_current_wal_flush_lsn() >= ?::pg_lsn";

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

  /**
   * Whether the server takes a durable write the way an application's session would: the session's
   * default is not read-only (a fenced server's is), and a committed transactional WAL message is
   * flushed. Nothing is created or left behind; a retry just writes another message.
   */
  private static boolean probe(Connection connection, String runId, List<String> problems) throws SQLException {
    try {
      try (Statement show = connection.createStatement();
           ResultSet readOnly = show.executeQuery("SELECT current_setting('transaction_read_only')")) {
        readOnly.next();
        if ("on".equals(readOnly.getString(1))) {
          problems.add("the server refuses writes: its sessions start read-only (default_transaction_read_only is on)");
          return false;
        }
      }
      String lsn;
      try (PreparedStatement write = connection.prepareStatement(PROBE_MESSAGE)) {
        write.setString(1, "verify " + runId);
        try (ResultSet row = write.executeQuery()) {
          row.next();
          lsn = row.getString(1);
        }
      }
      try (PreparedStatement flushed = connection.prepareStatement(FLUSHED_PAST)) {
        flushed.setString(1, lsn);
        try (ResultSet row = flushed.executeQuery()) {
          if (row.next() && row.getBoolean(1)) {
            return true;
          }
        }
      }
      problems.add("probe write at " + lsn + " was committed but is not flushed");
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
