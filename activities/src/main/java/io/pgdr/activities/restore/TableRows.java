package io.pgdr.activities.restore;

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

  // as a backup chooses them (DumpSnapshot), and never the checkpoint (RestoreCheckpoint.SCHEMA)
  private static final String TABLES = """
      SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence IN ('p', 'u')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgdr_restore')
        AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY 1""";

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
