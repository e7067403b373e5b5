package io.pgdr.activities.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a server refuse writes and cuts its clients, in that order: read-only first, so a client
 * that reconnects after being cut gets a read-only session. {@code ALTER SYSTEM} writes
 * {@code postgresql.auto.conf}, so the fence holds across a restart. Repeating it changes nothing.
 *
 * <p>This is a soft fence: a client may still {@code SET default_transaction_read_only = off}.
 * Applications do not, and the Kubernetes side (Service repointed, pod marked fenced) keeps them
 * away; together they stop the split brain the runbook fears.
 */
final class ReadOnlyFence {

  private static final Duration RELOAD_WAIT = Duration.ofSeconds(5);

  private static final String OTHER_CLIENTS = """
      SELECT pid FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
      """;

  private ReadOnlyFence() {}

  /** @return the number of client sessions terminated */
  static int apply(Connection connection) throws SQLException, InterruptedException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("ALTER SYSTEM SET default_transaction_read_only = on");
      statement.execute("SELECT pg_reload_conf()");
    }
    awaitReadOnly(connection);
    int terminated = 0;
    try (PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
      for (int pid : otherClients(connection)) {
        terminate.setInt(1, pid);
        try (ResultSet result = terminate.executeQuery()) {
          if (result.next() && result.getBoolean(1)) {
            terminated++;
          }
        }
      }
    }
    return terminated;
  }

  // pg_reload_conf() only signals; the postmaster (which forks new sessions) and this session
  // apply the file asynchronously. Seeing it here means backends forked from now on see it too.
  private static void awaitReadOnly(Connection connection) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
    while (!isReadOnly(connection)) {
      if (System.nanoTime() > deadline) {
        throw new SQLException("default_transaction_read_only still off " + RELOAD_WAIT.toSeconds()
            + " s after pg_reload_conf()", "55000");
      }
      Thread.sleep(50);
    }
  }

  static boolean isReadOnly(Connection connection) throws SQLException {
    try (PreparedStatement statement =
             connection.prepareStatement("SELECT current_setting('default_transaction_read_only') = 'on'");
         ResultSet row = statement.executeQuery()) {
      return row.next() && row.getBoolean(1);
    }
  }

  private static List<Integer> otherClients(Connection connection) throws SQLException {
    List<Integer> pids = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(OTHER_CLIENTS);
         ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        pids.add(rows.getInt(1));
      }
    }
    return pids;
  }
}
