package io.pgdr.activities.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Utility statements whose names or literals cannot be bind parameters (database names, comments):
 * the server's {@code format()} quotes them ({@code %I}, {@code %L}), so no quoting is done here.
 */
final class FormattedSql {

  private FormattedSql() {}

  /** Runs {@code template} after the server formatted {@code args} into it. */
  static void executeFormatted(Connection session, String template, String... args) throws SQLException {
    String sql;
    StringBuilder call = new StringBuilder("SELECT format(?");
    for (int i = 0; i < args.length; i++) {
      call.append(", ?");
    }
    try (PreparedStatement format = session.prepareStatement(call.append(")").toString())) {
      format.setString(1, template);
      for (int i = 0; i < args.length; i++) {
        format.setString(i + 2, args[i]);
      }
      try (ResultSet row = format.executeQuery()) {
        row.next();
        sql = row.getString(1);
      }
    }
    try (Statement statement = session.createStatement()) {
      statement.execute(sql);
    }
  }
}
