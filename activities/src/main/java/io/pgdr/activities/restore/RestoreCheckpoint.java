package io.pgdr.activities.restore;

import io.pgdr.activities.backupformat.BackupManifest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The checkpoint of a restore in progress, kept inside the database being filled (schema
 * {@value BackupManifest#RESTORE_SCHEMA}), so that it commits in the same transaction as the part it
 * records: a part is either there with its row or absent without one. The schema's comment names
 * the backup being restored; a sequence numbers the attempts (calls) so the table shows which
 * attempt restored what. A finished restore drops the schema ({@link RestoreTarget#finish}).
 */
final class RestoreCheckpoint {

  static final String SCHEMA = BackupManifest.RESTORE_SCHEMA;
  static final String TABLE = SCHEMA + ".parts";

  private RestoreCheckpoint() {}

  /** Creates the schema in an empty (or new) database, marking it as pgdr's restore of {@code source}. */
  static void create(Connection session, String source) throws SQLException {
    try (Statement statement = session.createStatement()) {
      statement.execute("CREATE SCHEMA " + SCHEMA);
      statement.execute("CREATE TABLE " + TABLE + " (key text PRIMARY KEY, rows bigint NOT NULL, attempt int NOT NULL,"
          + " restored_at timestamptz NOT NULL DEFAULT now())");
      statement.execute("CREATE SEQUENCE " + SCHEMA + ".attempt");
    }
    FormattedSql.executeFormatted(session, "COMMENT ON SCHEMA " + SCHEMA + " IS %L", source);
  }

  /** The backup the checkpoint belongs to, or null when the database holds no checkpoint. */
  static String source(Connection session) throws SQLException {
    try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery(
        "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = '" + SCHEMA + "'")) {
      if (!row.next()) {
        return null;
      }
      return row.getString(1) == null ? "" : row.getString(1);
    }
  }

  /** This call's attempt number: one more than the last call's. */
  static int nextAttempt(Connection session) throws SQLException {
    try (Statement statement = session.createStatement();
        ResultSet row = statement.executeQuery("SELECT nextval('" + SCHEMA + ".attempt')")) {
      row.next();
      return row.getInt(1);
    }
  }

  /** Keys of the finished parts, with the rows each restored. */
  static Map<String, Long> done(Connection session) throws SQLException {
    Map<String, Long> done = new HashMap<>();
    try (Statement statement = session.createStatement(); ResultSet rows = statement.executeQuery("SELECT key, rows FROM " + TABLE)) {
      while (rows.next()) {
        done.put(rows.getString(1), rows.getLong(2));
      }
    }
    return done;
  }

  /** Records a part as done, in the caller's transaction (the part's own). */
  static void record(Connection session, String key, long rows, int attempt) throws SQLException {
    try (PreparedStatement insert = session.prepareStatement("INSERT INTO " + TABLE + " (key, rows, attempt) VALUES (?, ?, ?)")) {
      insert.setString(1, key);
      insert.setLong(2, rows);
      insert.setInt(3, attempt);
      insert.executeUpdate();
    }
  }
}
