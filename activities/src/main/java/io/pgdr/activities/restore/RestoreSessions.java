package io.pgdr.activities.restore;

import io.pgdr.activities.postgres.PartSessions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The sessions a restore loads rows and builds indexes in, with the settings that make that work
 * cheaper. Every setting is the session's own (nothing is changed for the server or for anyone
 * else's sessions), so they are safe on a production server.
 */
final class RestoreSessions {

  /**
   * The most memory one index build may sort in. An index of up to about 15 M rows then sorts in
   * memory even when its build is split among parallel workers (pgbench scale 50's 5 M-row primary
   * key: about 0.4 s faster than with 256 MB, which spilled to disk). A cap, not an allocation: small
   * indexes take what they need; there are as many index-building sessions as restore sessions.
   */
  static final String INDEX_BUILD_MEMORY = "1GB";

  // a superuser, or a role granted SET on the parameter, may choose it for its own session
  private static final String COMPRESS_PAGE_IMAGES = """
      SELECT set_config('wal_compression', 'lz4', false)
      FROM pg_settings
      WHERE name = 'wal_compression' AND 'lz4' = ANY (enumvals) AND has_parameter_privilege('wal_compression', 'SET')""";

  private RestoreSessions() {}

  /**
   * A session that loads rows, autocommit off. A part's commit need not wait for its WAL to reach
   * disk (its checkpoint row commits with it: a crash loses both), and nothing may time out under a
   * long COPY.
   */
  static Connection loading(PartSessions sessions, String database) throws SQLException {
    Connection session = sessions.open(database);
    try (Statement statement = session.createStatement()) {
      statement.execute("SET synchronous_commit = off");
      statement.execute("SET statement_timeout = 0");
      statement.execute("SET lock_timeout = 0");
      compressPageImages(session, statement);
    } catch (SQLException e) {
      session.close();
      throw e;
    }
    session.setAutoCommit(false);
    return session;
  }

  /**
   * A session that builds indexes and constraints, autocommit off: sorting in memory instead of on
   * disk is most of an index build's speed, and an index is written to the WAL as full-page images
   * (compressed, where the server allows it, to about half: less for the standby to receive and replay).
   */
  static Connection indexing(PartSessions sessions, String database) throws SQLException {
    Connection session = loading(sessions, database);
    try (Statement statement = session.createStatement()) {
      statement.execute("SET maintenance_work_mem = '" + INDEX_BUILD_MEMORY + "'");
      session.commit();
    } catch (SQLException e) {
      session.close();
      throw e;
    }
    return session;
  }

  private static void compressPageImages(Connection session, Statement statement) throws SQLException {
    // lz4 for wal_compression, and has_parameter_privilege, came with PostgreSQL 15
    if (session.getMetaData().getDatabaseMajorVersion() >= 15) {
      statement.execute(COMPRESS_PAGE_IMAGES);
    }
  }
}
