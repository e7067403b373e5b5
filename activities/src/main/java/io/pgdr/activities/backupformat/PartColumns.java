package io.pgdr.activities.backupformat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The column list a data part is written and read with: every stored column but generated ones, in
 * byte order of their names. Binary {@code COPY} fields are positional, and a restored table need
 * not keep the original's column order (pg_dump recreates an inheritance child with its parent's
 * columns first), so backup and restore both name the columns, in an order each derives alone.
 */
public final class PartColumns {

  private static final String LIST = """
      SELECT coalesce(string_agg(quote_ident(attname), ', ' ORDER BY attname COLLATE "C"), '')
      FROM pg_attribute
      WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped AND attgenerated = ''""";

  private PartColumns() {}

  /** Quoted, comma-separated; empty for a table without stored columns. */
  public static String of(Connection session, long tableOid) throws SQLException {
    try (PreparedStatement list = session.prepareStatement(LIST)) {
      list.setLong(1, tableOid);
      try (ResultSet rows = list.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    }
  }
}
