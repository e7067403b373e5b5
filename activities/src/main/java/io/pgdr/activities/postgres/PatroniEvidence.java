package io.pgdr.activities.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether Patroni manages a server, as the server itself shows it. Promoting such a server with
 * {@code pg_promote} goes behind Patroni's back: Patroni still holds the leader key for the old
 * primary, so the cluster would have two writable leaders.
 *
 * <p>Two signs, either enough: Patroni's own sessions on the server ({@code application_name}
 * "Patroni ...", which any role sees in {@code pg_stat_activity}); and Patroni's files, its
 * {@code patroni.dynamic.json} in the data directory or the configuration file it writes (headed
 * "It will be overwritten by Patroni!"), which only a superuser (or a role granted
 * {@code pg_stat_file}, {@code pg_read_binary_file} and {@code pg_read_all_settings}) may look at:
 * a role that may not look at them still sees the sessions. A standby copied from a Patroni member
 * keeps Patroni's files and is taken as Patroni's too: remove them to promote it with pgdr.
 */
final class PatroniEvidence {

  static final String FILE = "patroni.dynamic.json";
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private PatroniEvidence() {}

  static boolean managed(Connection connection) throws SQLException {
    return hasPatroniSessions(connection) || hasPatroniFiles(connection);
  }

  private static boolean hasPatroniSessions(Connection connection) throws SQLException {
    return ask(connection, "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'Patroni%')");
  }

  private static boolean hasPatroniFiles(Connection connection) throws SQLException {
    try {
      // bytes, not text: a cut through a multibyte character, or a comment in another encoding, is no error
      return ask(connection, "SELECT pg_stat_file('" + FILE + "', true) IS NOT NULL OR position('overwritten by Patroni'::bytea in"
          + " coalesce(pg_read_binary_file(current_setting('config_file'), 0, 512, true), ''::bytea)) > 0");
    } catch (SQLException e) {
      if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  private static boolean ask(Connection connection, String query) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query); ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getBoolean(1);
    }
  }
}
