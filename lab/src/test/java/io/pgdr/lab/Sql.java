package io.pgdr.lab;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One-line SQL against a lab server, for assertions. */
final class Sql {

  private Sql() {}

  static String query(PostgresNode node, String database, String sql) throws SQLException {
    try (Connection connection = node.connect(database); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  static void execute(PostgresNode node, String database, String sql) throws SQLException {
    try (Connection connection = node.connect(database); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static String queryQuietly(PostgresNode node, String database, String sql) {
    try {
      return query(node, database, sql);
    } catch (SQLException e) {
      return null;
    }
  }
}
