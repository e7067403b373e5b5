package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.CopiedTables;
import io.pgdr.activities.backupformat.PartColumns;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The transaction a backup holds open for its whole length: it exports the snapshot every dump and
 * part reads in, and holds an ACCESS SHARE lock on each copied table (as pg_dump does), so no table
 * can be dropped or rewritten under a part that has not been read yet.
 */
final class DumpSnapshot implements AutoCloseable {

  // as pg_dump: a row-level security policy that would hide rows from the backup's user makes the
  // COPY fail instead of leaving them out silently
  private static final String NO_ROW_SECURITY = "SET row_security = off";
  private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-Fa-f-]+");

  // The tables a backup copies (CopiedTables). A table with a column type that has no binary
  // send/receive functions (aclitem, say) is copied in text format instead.
  private static final String TABLES = """
      SELECT c.oid, n.nspname, c.relname, format('%I.%I', n.nspname, c.relname),
             pg_relation_size(c.oid) / current_setting('block_size')::bigint,
             NOT EXISTS (SELECT 1 FROM pg_attribute a
                         JOIN pg_type t ON t.oid = a.atttypid
                         LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
                         LEFT JOIN pg_type b ON b.oid = t.typbasetype
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                           AND 0 IN (t.typsend::oid, t.typreceive::oid, coalesce(e.typsend::oid, 1),
                                     coalesce(e.typreceive::oid, 1), coalesce(b.typsend::oid, 1), coalesce(b.typreceive::oid, 1)))
      """ + CopiedTables.FROM_WHERE + "ORDER BY n.nspname, c.relname";

  private final Connection session;
  private final String id;
  private final String serverVersion;
  private final int blockSize;

  private DumpSnapshot(Connection session, String id, String serverVersion, int blockSize) {
    this.session = session;
    this.id = id;
    this.serverVersion = serverVersion;
    this.blockSize = blockSize;
  }

  /** Begins the snapshot's transaction in {@code session}, which it then owns. */
  static DumpSnapshot export(Connection session) throws SQLException {
    session.setAutoCommit(false);
    try (Statement statement = session.createStatement()) {
      statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      statement.execute(NO_ROW_SECURITY);
      try (ResultSet row = statement.executeQuery(
          "SELECT pg_export_snapshot(), current_setting('server_version'), current_setting('block_size')::int")) {
        row.next();
        String id = row.getString(1);
        if (!SNAPSHOT_ID.matcher(id).matches()) {
          throw new SQLException("unexpected snapshot id from pg_export_snapshot(): " + id);
        }
        // "15.14 (Debian 15.14-1.pgdg120+1)": the number is the version
        String version = row.getString(2).split(" ")[0];
        return new DumpSnapshot(session, id, version, row.getInt(3));
      }
    }
  }

  String id() {
    return id;
  }

  String serverVersion() {
    return serverVersion;
  }

  int blockSize() {
    return blockSize;
  }

  /** The tables whose rows the backup copies, each locked until the snapshot closes. */
  List<DumpTable> tables() throws SQLException {
    List<DumpTable> tables = new ArrayList<>();
    try (Statement statement = session.createStatement(); ResultSet rows = statement.executeQuery(TABLES)) {
      while (rows.next()) {
        tables.add(new DumpTable(rows.getLong(1), rows.getString(2), rows.getString(3),
            rows.getString(2) + "." + rows.getString(3), rows.getString(4), null, rows.getLong(5), rows.getBoolean(6)));
      }
    }
    List<DumpTable> withColumns = new ArrayList<>();
    try (Statement statement = session.createStatement()) {
      for (DumpTable table : tables) {
        statement.execute("LOCK TABLE ONLY " + table.quoted() + " IN ACCESS SHARE MODE");
        withColumns.add(new DumpTable(table.oid(), table.schema(), table.table(), table.name(), table.quoted(),
            PartColumns.of(session, table.oid()), table.blocks(), table.binary()));
      }
    }
    return withColumns;
  }

  /** A session that reads in this snapshot: a part's COPY runs in it. */
  void join(Connection other) throws SQLException {
    other.setAutoCommit(false);
    try (Statement statement = other.createStatement()) {
      statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      statement.execute("SET TRANSACTION SNAPSHOT '" + id + "'");
      statement.execute(NO_ROW_SECURITY);
    }
  }

  /** Ends the transaction, releasing the snapshot and the locks. */
  @Override
  public void close() throws SQLException {
    session.rollback();
  }
}
