package io.pgdr.activities.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The roles a drill's new scratch server needs for a restore that keeps owners and grants: the
 * production server's role names, made there as bare NOLOGIN roles. No password or attribute is
 * read or copied: the scratch copy is checked by pgdr's own user, never logged into as them.
 */
final class ScratchRoles {

  private static final String DUPLICATE_OBJECT = "42710";
  /** Two sessions creating one role at once: the loser sees the catalog's unique index, not 42710. */
  private static final String UNIQUE_VIOLATION = "23505";

  private ScratchRoles() {}

  /** The server's roles, PostgreSQL's own ({@code pg_*}) left out, in name order. */
  static List<String> names(Connection server) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement query = server.createStatement();
         ResultSet rows = query.executeQuery("SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  /** Creates each missing role NOLOGIN; returns those created. Names are quoted by the server ({@code format('%I')}). */
  static List<String> createMissing(Connection scratch, List<String> roles) throws SQLException {
    scratch.setAutoCommit(true);
    List<String> created = new ArrayList<>();
    for (String role : roles) {
      try (PreparedStatement exists = scratch.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
        exists.setString(1, role);
        try (ResultSet row = exists.executeQuery()) {
          if (row.next()) {
            continue;
          }
        }
      }
      String create;
      try (PreparedStatement format = scratch.prepareStatement("SELECT format('CREATE ROLE %I NOLOGIN', ?::text)")) {
        format.setString(1, role);
        try (ResultSet row = format.executeQuery()) {
          row.next();
          create = row.getString(1);
        }
      }
      try (Statement statement = scratch.createStatement()) {
        statement.execute(create);
        created.add(role);
      } catch (SQLException e) {
        // made meanwhile (an earlier attempt still running): there, which is what was asked
        if (!DUPLICATE_OBJECT.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
      }
    }
    return created;
  }
}
