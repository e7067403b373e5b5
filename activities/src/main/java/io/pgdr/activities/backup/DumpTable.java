package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.PartColumns;

/**
 * A table whose rows a backup copies as data parts.
 *
 * @param name {@code schema.table} as the manifest names it (unquoted)
 * @param quoted the same, quoted for SQL by the server's {@code quote_ident}
 * @param columns the part column list ({@link PartColumns})
 * @param blocks heap blocks when the snapshot was taken
 * @param binary whether every copied column's type has binary I/O; else its parts are text COPY
 */
record DumpTable(long oid, String schema, String table, String name, String quoted, String columns, long blocks, boolean binary) {

  /** {@code "schema"."table"} as a pg_dump pattern that matches this table only. */
  String exactPattern() {
    return '"' + schema.replace("\"", "\"\"") + "\".\"" + table.replace("\"", "\"\"") + '"';
  }
}
