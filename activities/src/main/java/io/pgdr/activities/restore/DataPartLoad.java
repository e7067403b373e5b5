package io.pgdr.activities.restore;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.BackupManifest.BackupObject;
import io.pgdr.activities.backupformat.PartColumns;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import org.postgresql.PGConnection;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Loads data parts: each object streams from the store through its SHA-256 check and gunzip into
 * {@code COPY ... FROM STDIN (FORMAT binary)}, and its checkpoint row commits in the same
 * transaction as its rows. An object that does not match its manifest entry (size, SHA-256, rows)
 * rolls its transaction back and fails as corrupt.
 *
 * <p>A table is loaded either whole, in one transaction that empties it first and copies every
 * part {@code FREEZE} (its rows are written frozen and all-visible: no later pass rewrites every
 * page, with a full-page image in the WAL, to set hint bits or the visibility map), or part by
 * part, each in a transaction of its own, several at once (a big table loads in parallel, and a
 * crash makes redo one part, not the table).
 */
final class DataPartLoad {

  /** Where a manifest's table is in the restored database, and the columns its parts carry. */
  record Destination(String quoted, String columns) {

    String copyInSql(boolean binary, boolean freeze) {
      return "COPY " + quoted + (columns.isEmpty() ? "" : " (" + columns + ")") + " FROM STDIN (FORMAT "
          + (binary ? "binary" : "text") + (freeze ? ", FREEZE)" : ")");
    }
  }

  private static final String FIND_TABLE = """
      SELECT c.oid, format('%I.%I', n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname || '.' || c.relname = ?""";
  private static final String UNIQUE_VIOLATION = "23505";
  /** How binary COPY data begins; a part without it is text (a table whose types lack binary I/O). */
  private static final byte[] BINARY_SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
  private static final int BUFFER = 64 * 1024;

  private final S3Client client;
  private final String bucket;
  private final String manifestKey;
  private final int attempt;
  private final PartProgress counters;
  private final RestoreTuning.BeforeCommit beforeCommit;
  private final Map<String, Destination> destinations = new ConcurrentHashMap<>();

  /** @param attempt this call's attempt number, written in each checkpoint row */
  DataPartLoad(S3Client client, String bucket, String manifestKey, int attempt, PartProgress counters,
      RestoreTuning.BeforeCommit beforeCommit) {
    this.client = client;
    this.bucket = bucket;
    this.manifestKey = manifestKey;
    this.attempt = attempt;
    this.counters = counters;
    this.beforeCommit = beforeCommit;
  }

  /**
   * Loads every part of one table in one transaction, which first empties the table (it holds no
   * committed part: none is in the checkpoint).
   *
   * @param session autocommit off; left with no open transaction
   * @return the parts committed; 0 when another attempt committed the table first
   */
  int loadTable(Connection session, String table, List<BackupObject> parts) throws Exception {
    Destination destination = destination(session, table);
    try {
      try (Statement statement = session.createStatement()) {
        // FREEZE needs the table emptied (or created) in this very transaction
        statement.execute("TRUNCATE ONLY " + destination.quoted());
      }
      for (BackupObject part : parts) {
        counters.working(table + " part " + part.part());
        long rows = copy(session, part, destination, true);
        beforeCommit.part(part.key());
        RestoreCheckpoint.record(session, part.key(), rows, attempt);
      }
      session.commit();
      return parts.size();
    } catch (SQLException e) {
      rollbackIfAlreadyDone(session, e);
      return 0;
    } catch (Exception e) {
      rollback(session);
      throw e;
    }
  }

  /**
   * Loads one part in a transaction of its own.
   *
   * @param session autocommit off; left with no open transaction
   * @return false when another attempt committed the part first
   */
  boolean loadPart(Connection session, BackupObject part) throws Exception {
    Destination destination = destination(session, part.table());
    counters.working(part.table() + " part " + part.part());
    try {
      long rows = copy(session, part, destination, false);
      beforeCommit.part(part.key());
      RestoreCheckpoint.record(session, part.key(), rows, attempt);
      session.commit();
      return true;
    } catch (SQLException e) {
      rollbackIfAlreadyDone(session, e);
      return false;
    } catch (Exception e) {
      rollback(session);
      throw e;
    }
  }

  /**
   * Rolls back after {@code e}, and returns when {@code e} says the checkpoint row was already
   * there (an earlier attempt, still running when this one began, committed the same work);
   * rethrows any other error.
   */
  private static void rollbackIfAlreadyDone(Connection session, SQLException e) throws SQLException {
    rollback(session);
    if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || !e.getMessage().contains(RestoreCheckpoint.SCHEMA)) {
      throw e;
    }
  }

  /** Finds {@code table} ({@code schema.table}) as the pre-data restore created it. */
  private Destination destination(Connection session, String table) throws SQLException {
    Destination known = destinations.get(table);
    if (known != null) {
      return known;
    }
    try (PreparedStatement find = session.prepareStatement(FIND_TABLE)) {
      find.setString(1, table);
      try (ResultSet rows = find.executeQuery()) {
        if (!rows.next()) {
          throw ApplicationFailure.newNonRetryableFailure("table " + table + " of the backup is not in the restored schema:"
              + " its pre-data.dump does not create it; the backup is inconsistent", FailureTypes.RESTORE_FAILED);
        }
        long oid = rows.getLong(1);
        String quoted = rows.getString(2);
        if (rows.next()) {
          throw ApplicationFailure.newNonRetryableFailure("table name " + table
              + " is ambiguous in the restored database (a schema or table name with a dot)", FailureTypes.RESTORE_FAILED);
        }
        Destination destination = new Destination(quoted, PartColumns.of(session, oid));
        // the lookup's snapshot must not be the one a COPY FREEZE then finds registered
        session.commit();
        destinations.put(table, destination);
        return destination;
      }
    }
  }

  /** Streams one part into its table; returns its rows once the object proved to be the stored one. */
  private long copy(Connection session, BackupObject part, Destination destination, boolean freeze) throws IOException, SQLException {
    String objectKey = BackupManifest.objectKey(manifestKey, part);
    String name = "s3://" + bucket + "/" + objectKey;
    try (ResponseInputStream<GetObjectResponse> object = client.getObject(b -> b.bucket(bucket).key(objectKey))) {
      VerifiedStream raw = new VerifiedStream(object, name, counters);
      long rows;
      try {
        InputStream rowsIn = new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER);
        String sql = destination.copyInSql(isBinary(rowsIn), freeze);
        rows = session.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, rowsIn, BUFFER);
        raw.drain();
      } catch (IOException | SQLException e) {
        boolean lostSession = e instanceof SQLException sql && PartSessions.isUnreachable(sql);
        if (!lostSession && !Thread.currentThread().isInterrupted()) {
          // a gunzip or COPY format error is corruption when the bytes are not the stored ones
          raw.drain();
          if (!raw.matches(part.sizeBytes(), part.sha256())) {
            throw raw.corrupt(part.sizeBytes());
          }
        }
        object.abort();
        throw e;
      }
      if (!raw.matches(part.sizeBytes(), part.sha256())) {
        throw raw.corrupt(part.sizeBytes());
      }
      if (part.rows() != null && rows != part.rows()) {
        throw ApplicationFailure.newNonRetryableFailure(name + " holds " + rows + " rows, its manifest says " + part.rows()
            + ": the backup is corrupt; restore another one", FailureTypes.BACKUP_CORRUPT);
      }
      return rows;
    }
  }

  private static boolean isBinary(InputStream rows) throws IOException {
    rows.mark(BINARY_SIGNATURE.length);
    byte[] start = rows.readNBytes(BINARY_SIGNATURE.length);
    rows.reset();
    return Arrays.equals(start, BINARY_SIGNATURE);
  }

  private static void rollback(Connection session) {
    try {
      session.rollback();
    } catch (SQLException alreadyGone) {
      // the transaction dies with the session
    }
  }
}
