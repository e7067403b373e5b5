package io.pgdr.activities.restore;

import io.pgdr.activities.TransferMetrics;
import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.DumpProcess;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.activities.temporal.HeartbeatWhileBlocked;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.SwapResult;
import io.pgdr.restore.DatabaseNames;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SqlIdentifiers;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@link RestoreActivities} over the PostgreSQL client programs, JDBC and the S3 SDK. A pgdr backup
 * restores part by part, checkpointed inside the database it fills ({@link PgdrRestore}); a
 * {@code pg_dump -Fc} file restores as one stream ({@link CustomDumpRestore}). Failures carry a
 * type: {@code BackupCorrupt}, {@code BackupNotFound}, {@code CredentialsRefused},
 * {@code RestoreTargetOccupied}, {@code SwapRefused}, {@code InvalidDatabaseName} and
 * {@code RestoreFailed} are not retryable; {@code ServerUnreachable} and store hiccups are.
 */
public final class RestoreActivitiesImpl implements RestoreActivities {

  private static final Logger log = LoggerFactory.getLogger(RestoreActivitiesImpl.class);

  private final CredentialResolver credentials;
  private final S3Clients s3;
  private final ClientPrograms programs;
  private final RestoreTuning tuning;

  public RestoreActivitiesImpl(CredentialResolver credentials, S3Clients s3) {
    this(credentials, s3, ClientPrograms.locate(), RestoreTuning.defaults());
  }

  RestoreActivitiesImpl(CredentialResolver credentials, S3Clients s3, ClientPrograms programs, RestoreTuning tuning) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.programs = Objects.requireNonNull(programs, "programs");
    this.tuning = Objects.requireNonNull(tuning, "tuning");
  }

  @Override
  public RestoreResult restoreBackup(PostgresServer server, BackupLocation location, BackupEntry backup, String into) {
    requirePlainName("the database to restore into", into);
    String action = "restore of s3://" + location.bucket() + "/" + backup.key() + " into database " + into + " on " + server.pod();
    PartSessions sessions = PartSessions.of(credentials, server);
    long started = System.nanoTime();
    try {
      // progress is heartbeated per part; the keep-alive covers the stretches between (schema, one big index)
      RestoreResult result = HeartbeatWhileBlocked.run(action, () -> restoreInto(sessions, location, backup, into, action));
      log.info("{}: {} parts restored now, {} found done, {} bytes read", action, result.partsRestored(),
          result.partsAlreadyDone(), result.bytes());
      // what this attempt read and how fast, for the worker's /metrics (nothing outside an activity)
      TransferMetrics metrics = TransferMetrics.current();
      metrics.bytesRestored(result.bytes());
      metrics.restoreFinished(result.bytes(), Duration.ofNanos(System.nanoTime() - started));
      return result;
    } catch (Exception e) {
      throw failure(action, location, sessions, into, e);
    }
  }

  private RestoreResult restoreInto(PartSessions sessions, BackupLocation location, BackupEntry backup, String into, String action)
      throws Exception {
    S3Client client = s3.forLocation(location);
    if (BackupEntry.PGDR.equals(backup.format())) {
      BackupManifest manifest = manifest(client, location.bucket(), backup.key());
      return new PgdrRestore(sessions, client, programs, tuning, location.bucket(), backup.key(), into).restore(manifest);
    }
    if (BackupEntry.CUSTOM.equals(backup.format())) {
      return new CustomDumpRestore(sessions, client, programs, tuning).restore(location.bucket(), backup, into);
    }
    throw ApplicationFailure.newNonRetryableFailure(action + ": unknown backup format '" + backup.format() + "'", FailureTypes.RESTORE_FAILED);
  }

  @Override
  public RestoreCheck checkRestore(PostgresServer server, BackupLocation location, BackupEntry backup, String database) {
    requirePlainName("the database to check", database);
    String action = "check of database " + database + " on " + server.pod() + " against " + backup.key();
    PartSessions sessions = PartSessions.of(credentials, server);
    try {
      Map<String, Long> expected = BackupEntry.PGDR.equals(backup.format())
          ? manifest(s3.forLocation(location), location.bucket(), backup.key()).tables()
          : Map.of();
      try (Connection session = sessions.open(database)) {
        return HeartbeatWhileBlocked.run(action + ": row counts, then ANALYZE", HeartbeatWhileBlocked.aborting(session),
            () -> checkRowsAndAnalyze(session, database, expected));
      }
    } catch (Exception e) {
      throw failure(action, location, sessions, database, e);
    }
  }

  private static RestoreCheck checkRowsAndAnalyze(Connection session, String database, Map<String, Long> expected) throws SQLException {
    RestoreCheck check = RowCountCheck.check(session, database, expected);
    if (check.passed()) {
      // restored tables have no planner statistics until autovacuum gets to them, and the
      // applications coming back would meet plans made blind: gathered before the swap
      try (Statement analyze = session.createStatement()) {
        analyze.execute("ANALYZE");
      }
    }
    return check;
  }

  @Override
  public SwapResult swapDatabases(PostgresServer server, String live, String restored, String keepAs) {
    requirePlainName("the live database", live);
    requirePlainName("the restored database", restored);
    requirePlainName("the name to keep the old database under", keepAs);
    if (live.equals(restored) || live.equals(keepAs) || restored.equals(keepAs)) {
      throw ApplicationFailure.newNonRetryableFailure("swap needs three different database names, got live=" + live
          + " restored=" + restored + " keepAs=" + keepAs, FailureTypes.INVALID_DATABASE_NAME);
    }
    PartSessions sessions = PartSessions.of(credentials, server);
    try (Connection maintenance = sessions.open(PartSessions.MAINTENANCE_DATABASE)) {
      // waits for the sessions it ended to go and for the catalog locks
      SwapResult result = HeartbeatWhileBlocked.run("swapping " + restored + " in as " + live, HeartbeatWhileBlocked.aborting(maintenance),
          () -> DatabaseSwap.swap(maintenance, live, restored, keepAs));
      if (!result.alreadySwapped()) {
        log.warn("swapped databases on {}: {} is now {}, {} is now {} ({} sessions ended)", server.pod(), live, keepAs,
            restored, live, result.terminatedSessions());
      }
      return result;
    } catch (SQLException e) {
      throw sessions.failure("swap of " + restored + " into " + live, PartSessions.MAINTENANCE_DATABASE, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("swap of " + restored + " into " + live + " interrupted", FailureTypes.RESTORE_FAILED);
    } catch (RuntimeException e) {
      throw e; // failures already sorted (a refused swap), cancellation
    } catch (Exception e) {
      throw new IllegalStateException("swap of " + restored + " into " + live + ": " + e, e); // swap throws only the two above
    }
  }

  static ApplicationFailure occupied(String into, PostgresServer server) {
    return ApplicationFailure.newNonRetryableFailure("database " + into + " on " + server.pod()
        + " already holds tables that are not a pgdr restore in progress; pgdr does not overwrite them:"
        + " restore into another name, or drop " + into + " yourself", FailureTypes.RESTORE_TARGET_OCCUPIED);
  }

  private static BackupManifest manifest(S3Client client, String bucket, String key) {
    try {
      BackupManifest manifest = BackupManifest.fromJson(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
      if (!BackupManifest.FORMAT.equals(manifest.format())) {
        throw ApplicationFailure.newNonRetryableFailure("s3://" + bucket + "/" + key + " is a manifest of format '"
            + manifest.format() + "', this pgdr reads " + BackupManifest.FORMAT, FailureTypes.BACKUP_CORRUPT);
      }
      return manifest;
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure("s3://" + bucket + "/" + key + ": " + e.getMessage(), FailureTypes.BACKUP_CORRUPT);
    }
  }

  @Override
  public boolean dropScratchDatabase(PostgresServer server, String name) {
    if (!DatabaseNames.isDrillScratch(name)) {
      throw ApplicationFailure.newNonRetryableFailure("a drill drops only its own scratch database (<db>_pgdr_drill_<run>), not '"
          + name + "'", FailureTypes.INVALID_DATABASE_NAME);
    }
    PartSessions sessions = PartSessions.of(credentials, server);
    try (Connection maintenance = sessions.open(PartSessions.MAINTENANCE_DATABASE)) {
      if (!RestoreTarget.exists(maintenance, name)) {
        return false; // gone: an earlier attempt dropped it, or the restore never created it
      }
      RestoreTarget.drop(maintenance, name);
      log.info("dropped the drill's scratch database {} on {}", name, server.pod());
      return true;
    } catch (SQLException e) {
      throw sessions.failure("drop of the scratch database " + name, PartSessions.MAINTENANCE_DATABASE, e);
    }
  }

  private static void requirePlainName(String what, String name) {
    if (!SqlIdentifiers.isPlain(name)) {
      throw ApplicationFailure.newNonRetryableFailure(what + " must be a plain SQL name (letters, digits, '_', at most 63,"
          + " not starting with a digit), got '" + name + "'", FailureTypes.INVALID_DATABASE_NAME);
    }
  }

  private static RuntimeException failure(String action, BackupLocation location, PartSessions sessions, String database, Exception e) {
    if (e instanceof ApplicationFailure || e instanceof ActivityCompletionException) {
      return (RuntimeException) e;
    }
    if (e instanceof SQLException sql) {
      return sessions.failure(action, database, sql);
    }
    if (e instanceof DumpProcess.Failed failed) {
      return ArchivePipe.failure(action, failed);
    }
    if (e instanceof NoSuchKeyException) {
      return ApplicationFailure.newNonRetryableFailureWithCause(action + ": no such object in " + location.url()
          + "; list the backups again and choose one that exists", FailureTypes.BACKUP_NOT_FOUND, e);
    }
    if (e instanceof SdkException sdk) {
      return StoreFailures.toFailure(location, action, sdk);
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return ApplicationFailure.newFailureWithCause(action + ": interrupted", FailureTypes.RESTORE_FAILED, e);
    }
    if (e instanceof IOException) {
      return ApplicationFailure.newFailureWithCause(action + ": " + e.getMessage(), FailureTypes.RESTORE_FAILED, e);
    }
    return ApplicationFailure.newFailureWithCause(action + ": " + e, FailureTypes.RESTORE_FAILED, e);
  }
}
