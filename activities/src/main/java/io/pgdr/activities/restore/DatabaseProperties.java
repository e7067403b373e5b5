package io.pgdr.activities.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What applications rely on at the database level, copied from the database being replaced onto
 * the restored one before the swap: owner, connection limit, grants ({@code GRANT ... ON DATABASE},
 * including a revoked PUBLIC) and settings ({@code ALTER [ROLE r IN] DATABASE ... SET}). A backup of
 * a database's contents holds none of these, so without this an application's
 * {@code search_path} or a revoked CONNECT would silently change with the restore. The comment is
 * not copied: the restored database's comment names its backup. Each statement sets a value, so
 * running it all twice changes nothing.
 */
final class DatabaseProperties {

  // settings whose value is a list, stored with each element double-quoted where needed; as pg_dump
  // does, each element becomes its own literal, or the list would be taken for one name
  private static final Set<String> LIST_SETTINGS = Set.of("search_path", "temp_tablespaces", "session_preload_libraries",
      "local_preload_libraries");
  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  private DatabaseProperties() {}

  static void copy(Connection maintenance, String from, String to) throws SQLException {
    String owner;
    int connectionLimit;
    boolean defaultGrants;
    try (PreparedStatement query = maintenance.prepareStatement(
        "SELECT pg_get_userbyid(datdba), datconnlimit, datacl IS NULL FROM pg_database WHERE datname = ?")) {
      query.setString(1, from);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return;
        }
        owner = row.getString(1);
        connectionLimit = row.getInt(2);
        defaultGrants = row.getBoolean(3);
      }
    }
    FormattedSql.executeFormatted(maintenance, "ALTER DATABASE %I OWNER TO %I", to, owner);
    FormattedSql.executeFormatted(maintenance, "ALTER DATABASE %I CONNECTION LIMIT " + connectionLimit, to);
    if (!defaultGrants) {
      copyGrants(maintenance, from, to);
    }
    copySettings(maintenance, from, to);
  }

  /** As pg_dump does: everything revoked from PUBLIC, then each grant of the original again. */
  private static void copyGrants(Connection maintenance, String from, String to) throws SQLException {
    FormattedSql.executeFormatted(maintenance, "REVOKE ALL ON DATABASE %I FROM PUBLIC", to);
    try (PreparedStatement query = maintenance.prepareStatement("""
        SELECT a.grantee = 0, pg_get_userbyid(a.grantee), a.privilege_type, a.is_grantable
        FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = ? ORDER BY 2, 3""")) {
      query.setString(1, from);
      try (ResultSet grant = query.executeQuery()) {
        while (grant.next()) {
          String privilege = grant.getString(3); // CREATE, CONNECT or TEMPORARY: a keyword from the catalog
          String template = "GRANT " + privilege + " ON DATABASE %I TO " + (grant.getBoolean(1) ? "PUBLIC" : "%I")
              + (grant.getBoolean(4) ? " WITH GRANT OPTION" : "");
          if (grant.getBoolean(1)) {
            FormattedSql.executeFormatted(maintenance, template, to);
          } else {
            FormattedSql.executeFormatted(maintenance, template, to, grant.getString(2));
          }
        }
      }
    }
  }

  private static void copySettings(Connection maintenance, String from, String to) throws SQLException {
    try (PreparedStatement query = maintenance.prepareStatement("""
        SELECT r.rolname, c.setting
        FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
          LEFT JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c(setting)
        WHERE d.datname = ? ORDER BY 1 NULLS FIRST, 2""")) {
      query.setString(1, from);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          String role = row.getString(1);
          String setting = row.getString(2);
          int eq = setting.indexOf('=');
          String name = setting.substring(0, eq);
          if (!SETTING_NAME.matcher(name).matches()) {
            throw new SQLException("database " + from + " has a setting named " + name + ", which pgdr cannot copy; set it on " + to
                + " by hand");
          }
          List<String> values = LIST_SETTINGS.contains(name) ? listElements(setting.substring(eq + 1)) : List.of(setting.substring(eq + 1));
          if (values.isEmpty()) {
            values = List.of("");
          }
          String literals = String.join(", ", values.stream().map(v -> "%L").toList());
          List<String> args = new ArrayList<>();
          if (role != null) {
            args.add(role);
          }
          args.add(to);
          args.addAll(values);
          FormattedSql.executeFormatted(maintenance, (role == null ? "ALTER DATABASE %I" : "ALTER ROLE %I IN DATABASE %I")
              + " SET " + name + " TO " + literals, args.toArray(String[]::new));
        }
      }
    }
  }

  /** {@code app, "$user", "My Schema"} as stored for a list setting: the elements, quotes removed. */
  static List<String> listElements(String value) {
    List<String> elements = new ArrayList<>();
    int i = 0;
    while (i < value.length()) {
      while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == ',')) {
        i++;
      }
      if (i >= value.length()) {
        break;
      }
      StringBuilder element = new StringBuilder();
      if (value.charAt(i) == '"') {
        for (i++; i < value.length(); i++) {
          if (value.charAt(i) == '"') {
            if (i + 1 < value.length() && value.charAt(i + 1) == '"') {
              element.append('"');
              i++;
            } else {
              i++;
              break;
            }
          } else {
            element.append(value.charAt(i));
          }
        }
      } else {
        while (i < value.length() && value.charAt(i) != ',') {
          element.append(value.charAt(i++));
        }
      }
      elements.add(element.toString().strip());
    }
    return elements;
  }
}
