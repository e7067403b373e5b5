package io.pgdr.activities.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Whether a server is a standby: the one question promotion and verification both ask. */
final class RecoveryState {

  private RecoveryState() {}

  static boolean inRecovery(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT pg_is_in_recovery()");
         ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getBoolean(1);
    }
  }
}
