package io.pgdr.activities.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether Patroni manages a server, as the server itself shows it: Patroni writes the server's
 * configuration file (headed "It will be overwritten by Patroni!") and keeps
 * {@code patroni.dynamic.json} in the data directory it manages (a replica gets it later). Promoting such a server with
 * {@code pg_promote} goes behind Patroni's back: Patroni still holds the leader key for the old
 * primary, so the cluster would have two writable leaders. Reading the file's status needs a
 * superuser (or grants on {@code pg_stat_file} and {@code pg_read_file}); a role that may not look
 * sees no evidence.
 */
final class PatroniEvidence {

  static final String FILE = "patroni.dynamic.json";
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private PatroniEvidence() {}

  static boolean managed(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT pg_stat_file(?, true) IS NOT NULL"
        + " OR coalesce(pg_read_file(current_setting('config_file'), 0, 512, true), '') LIKE '%overwritten by Patroni%'")) {
      statement.setString(1, FILE);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    } catch (SQLException e) {
      if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }
}
