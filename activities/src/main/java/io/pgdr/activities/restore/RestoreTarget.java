package io.pgdr.activities.restore;

import io.pgdr.activities.postgres.PartSessions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The database a restore fills, and what may be done to it. pgdr only ever drops a database that
 * holds its own unfinished restore; it fills an empty one as it is, and refuses one that holds
 * anything else (never destroy data nobody approved to lose). A finished restore leaves no
 * checkpoint schema, only a comment on the database naming the backup, which makes a retry after
 * success a no-op.
 */
final class RestoreTarget {

  /** What the database named by the restore holds now. */
  enum State {
    /** No such database. */
    ABSENT,
    /** Exists and holds no table, view, sequence or checkpoint. */
    EMPTY,
    /** Holds a checkpoint: pgdr's unfinished restore (of {@link Found#source()}). */
    RESTORING,
    /** Holds a finished restore of the very backup asked for. */
    RESTORED,
    /** Holds something else: pgdr will not touch it. */
    OCCUPIED
  }

  /**
   * @param source for {@link State#RESTORING}: the backup the checkpoint is for
   * @param done for {@link State#RESTORING}: the checkpoint's finished parts and their rows
   */
  record Found(State state, String source, Map<String, Long> done) {}

  private static final String USER_RELATIONS = """
      SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')""";

  private RestoreTarget() {}

  /** The comment a finished restore leaves on its database. */
  static String marker(String source) {
    return "pgdr: restored from " + source;
  }

  static Found inspect(PartSessions sessions, String into, String source) throws SQLException {
    try (Connection maintenance = sessions.open(PartSessions.MAINTENANCE_DATABASE)) {
      if (!exists(maintenance, into)) {
        return new Found(State.ABSENT, null, Map.of());
      }
    }
    try (Connection session = sessions.open(into)) {
      String restoring = RestoreCheckpoint.source(session);
      if (restoring != null) {
        return new Found(State.RESTORING, restoring, RestoreCheckpoint.done(session));
      }
      String comment;
      try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery(
          "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()")) {
        row.next();
        comment = row.getString(1);
      }
      if (marker(source).equals(comment)) {
        return new Found(State.RESTORED, source, Map.of());
      }
      try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery(USER_RELATIONS)) {
        row.next();
        return new Found(row.getLong(1) == 0 ? State.EMPTY : State.OCCUPIED, null, Map.of());
      }
    }
  }

  /**
   * Makes {@code into} an empty database holding a fresh checkpoint for {@code source}: drops it
   * first when it holds an unfinished restore, creates it when absent (with the encoding, locale
   * and owner of {@code like}, the live database, when that exists).
   */
  static void startFresh(PartSessions sessions, String into, Found found, String source, String like) throws SQLException {
    try (Connection maintenance = sessions.open(PartSessions.MAINTENANCE_DATABASE)) {
      // read before the drop: the database to copy settings from may be this very one
      String create = creation(maintenance, into, like);
      if (found.state() == State.RESTORING) {
        drop(maintenance, into);
      }
      if (found.state() != State.EMPTY) {
        try (Statement statement = maintenance.createStatement()) {
          statement.execute(create);
        }
      }
    }
    try (Connection session = sessions.open(into)) {
      RestoreCheckpoint.create(session, source);
    }
  }

  /** Drops the checkpoint and marks the database restored, in one transaction. */
  static void finish(Connection session, String into, String source) throws SQLException {
    boolean autoCommit = session.getAutoCommit();
    session.setAutoCommit(false);
    try (Statement statement = session.createStatement()) {
      statement.execute("DROP SCHEMA " + RestoreCheckpoint.SCHEMA + " CASCADE");
      FormattedSql.executeFormatted(session, "COMMENT ON DATABASE %I IS %L", into, marker(source));
      session.commit();
    } catch (SQLException e) {
      session.rollback();
      throw e;
    } finally {
      session.setAutoCommit(autoCommit);
    }
  }

  static boolean exists(Connection maintenance, String database) throws SQLException {
    try (PreparedStatement query = maintenance.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      query.setString(1, database);
      try (ResultSet row = query.executeQuery()) {
        return row.next();
      }
    }
  }

  static void drop(Connection maintenance, String database) throws SQLException {
    // FORCE ends sessions of an earlier attempt that may still be loading parts into it
    String force = serverVersion(maintenance) >= 130000 ? " WITH (FORCE)" : "";
    FormattedSql.executeFormatted(maintenance, "DROP DATABASE IF EXISTS %I" + force, database);
  }

  private static String creation(Connection maintenance, String database, String like) throws SQLException {
    // template0: the restore brings every object itself, nothing from template1 may collide
    String likeLive = """
        SELECT format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L', ?::text,
                      pg_encoding_to_char(encoding), datcollate, datctype)
               || CASE WHEN pg_has_role(datdba, 'MEMBER') THEN format(' OWNER %I', pg_get_userbyid(datdba)) ELSE '' END
        FROM pg_database WHERE datname = ?
        UNION ALL SELECT format('CREATE DATABASE %I TEMPLATE template0', ?::text)""";
    try (PreparedStatement query = maintenance.prepareStatement(likeLive)) {
      query.setString(1, database);
      query.setString(2, like);
      query.setString(3, database);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    }
  }

  private static int serverVersion(Connection session) throws SQLException {
    try (Statement statement = session.createStatement();
        ResultSet row = statement.executeQuery("SELECT current_setting('server_version_num')::int")) {
      row.next();
      return row.getInt(1);
    }
  }
}
