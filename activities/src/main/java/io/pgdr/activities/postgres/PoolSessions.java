package io.pgdr.activities.postgres;

import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.TerminatedSessions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runbook 004 scenario 4 on one server: its client sessions against {@code max_connections}, and
 * the idle-in-transaction ones ended, only those the approver saw and only while they still are
 * what was approved (idle in a transaction past the threshold, not pgdr's).
 */
final class PoolSessions {

  private static final String SESSIONS = """
      SELECT pid, backend_start, usename, application_name, host(client_addr), coalesce(state, 'unknown'),
             extract(epoch FROM now() - coalesce(state_change, backend_start)), left(query, 200)
        FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
      """;

  // one statement: the session is checked and ended at the same instant, so one that became active
  // (or was replaced by another session under its pid) after the approval is never ended
  private static final String TERMINATE = """
      SELECT pg_terminate_backend(pid)
        FROM pg_stat_activity
       WHERE pid = ? AND backend_start = ?
         AND state IN ('idle in transaction', 'idle in transaction (aborted)')
         AND state_change <= now() - make_interval(secs => ?)
         AND application_name NOT LIKE 'pgdr%'
      """;

  private static final String IDLE_IN_TRANSACTION = "idle in transaction";

  private PoolSessions() {}

  static ConnectionsReport describe(Connection connection, Duration longerThan) throws SQLException {
    Map<String, Integer> byState = new TreeMap<>();
    List<ClientSession> idle = new ArrayList<>();
    List<ClientSession> running = new ArrayList<>();
    for (ClientSession session : sessions(connection)) {
      byState.merge(session.state(), 1, Integer::sum);
      boolean past = session.stateSeconds() > longerThan.toMillis() / 1000.0;
      if (past && session.state().startsWith(IDLE_IN_TRANSACTION)) {
        idle.add(session);
      } else if (past && session.state().equals("active")) {
        running.add(session);
      }
    }
    Comparator<ClientSession> longestFirst = Comparator.comparingDouble(ClientSession::stateSeconds).reversed();
    idle.sort(longestFirst);
    running.sort(longestFirst);
    return new ConnectionsReport(setting(connection, "max_connections"), setting(connection, "superuser_reserved_connections"),
        byState, idle, running);
  }

  static TerminatedSessions terminate(Connection connection, List<ClientSession> approved, Duration olderThan) throws SQLException {
    List<ClientSession> now = sessions(connection);
    List<ClientSession> terminated = new ArrayList<>();
    List<ClientSession> gone = new ArrayList<>();
    List<String> spared = new ArrayList<>();
    try (PreparedStatement terminate = connection.prepareStatement(TERMINATE)) {
      for (ClientSession session : approved) {
        ClientSession current = now.stream().filter(session::sameAs).findFirst().orElse(null);
        if (current == null) {
          gone.add(session);
          continue;
        }
        terminate.setInt(1, session.pid());
        terminate.setObject(2, OffsetDateTime.ofInstant(session.backendStart(), ZoneOffset.UTC));
        terminate.setDouble(3, olderThan.toMillis() / 1000.0);
        try (ResultSet row = terminate.executeQuery()) {
          if (row.next()) {
            if (row.getBoolean(1)) {
              terminated.add(current);
            } else {
              gone.add(session);
            }
          } else {
            spared.add("pid " + session.pid() + " (" + session.application() + ") is " + current.state() + " for "
                + Math.round(current.stateSeconds()) + " s now: left alone");
          }
        }
      }
    }
    return new TerminatedSessions(terminated, gone, spared);
  }

  private static List<ClientSession> sessions(Connection connection) throws SQLException {
    List<ClientSession> sessions = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(SESSIONS); ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        sessions.add(new ClientSession(rows.getInt(1), rows.getObject(2, OffsetDateTime.class).toInstant(), rows.getString(3),
            rows.getString(4), rows.getString(5), rows.getString(6), rows.getDouble(7), rows.getString(8)));
      }
    }
    return sessions;
  }

  private static int setting(Connection connection, String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)::int")) {
      statement.setString(1, name);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }
}
