package io.pgdr.activities.restore;

import io.pgdr.activities.backupformat.CopiedTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code count(*)} of every table in a database, named {@code schema.table} as a manifest names
 * them. Counts {@code ONLY} each table's own rows, as a backup part copies them, so an inheritance
 * parent does not count its children's rows again.
 */
final class TableRows {

  // as a backup chooses them, which leaves out the checkpoint
  private static final String TABLES = "SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname)\n"
      + CopiedTables.FROM_WHERE + "ORDER BY 1";

  private TableRows() {}

  static Map<String, Long> count(Connection session) throws SQLException {
    Map<String, String> tables = new LinkedHashMap<>();
    try (Statement statement = session.createStatement(); ResultSet rows = statement.executeQuery(TABLES)) {
      while (rows.next()) {
        tables.put(rows.getString(1), rows.getString(2));
      }
    }
    Map<String, Long> counts = new TreeMap<>();
    try (Statement statement = session.createStatement()) {
      for (Map.Entry<String, String> table : tables.entrySet()) {
        try (ResultSet row = statement.executeQuery("SELECT count(*) FROM ONLY " + table.getValue())) {
          row.next();
          counts.put(table.getKey(), row.getLong(1));
        }
      }
    }
    return counts;
  }
}
