package io.pgdr.ports;

import io.pgdr.target.BackupLocation;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * Backups in S3 (or an S3-compatible store): find and check them, and take them. Failures that no
 * retry can fix (bucket missing, credentials refused, named backup absent) are non-retryable
 * application failures whose message says what to fix; their types are listed in {@link FailureTypes}.
 */
@ActivityInterface
public interface BackupActivities {

  /**
   * Listing and checking backups reads the store, and checking a dump taken by another tool reads
   * it through: minutes for a big one, hence the long timeout and the heartbeat. Taking a backup
   * streams the whole database. A missing location, refused access or a named backup that is not
   * there are not retried.
   */
  CallOptions READ_STORE = CallOptions.heartbeating(Duration.ofMinutes(30), 3, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.LOCATION_MISSING, FailureTypes.STORE_ACCESS_DENIED, FailureTypes.BACKUP_NOT_FOUND);

  /**
   * A base backup streams every file of the cluster: hours for a big one. The heartbeat notices a
   * lost worker; a retry starts the base backup again under the same label.
   */
  CallOptions STREAM_BASE_BACKUP = CallOptions.heartbeating(Duration.ofHours(12), 3, Duration.ofSeconds(10))
      .notRetrying(FailureTypes.LOCATION_MISSING, FailureTypes.STORE_ACCESS_DENIED);

  CallTable<BackupActivities> CALLS = CallTable.of(BackupActivities.class)
      .calls(READ_STORE, "listBackups", "checkBackup", "takeBackup")
      .calls(STREAM_BASE_BACKUP, "takeBaseBackup")
      .build();

  /**
   * Lists every backup under the location, newest first, and checks them newest first until one
   * passes: pgdr backups against their manifest (every object present, sizes, SHA-256 where
   * cheap), {@code pg_dump -Fc} files by reading them through ({@code pg_restore -l}, then the
   * whole archive). Entries older than the first valid one are listed as not checked. Read-only.
   */
  @ActivityMethod
  BackupCatalog listBackups(BackupLocation location);

  /** Checks one named backup; {@link FailureTypes#BACKUP_NOT_FOUND} when no such key exists. Read-only. */
  @ActivityMethod
  BackupEntry checkBackup(BackupLocation location, String key);

  /**
   * Takes a pgdr backup of {@code server}'s database: one consistent snapshot, schema and data
   * streamed to the store part by part, a manifest (times, server version, sizes, SHA-256, row
   * counts of every table) written last so that a backup without one is known incomplete.
   * Heartbeats {@link TransferProgress}.
   *
   * @param backupId the backup's name under the prefix (sortable: a UTC timestamp)
   */
  @ActivityMethod
  BackupEntry takeBackup(BackupLocation location, PostgresServer server, String backupId);

  /**
   * Takes a physical base backup of {@code server}'s cluster with {@code pg_basebackup} (tar format,
   * the WAL it needs inside) and streams it to {@code <prefix>base/<label>/}: {@code base.tar.gz},
   * {@code backup_manifest}, and {@code pgdr-base.json} (start/stop LSN and time, timeline, sizes,
   * SHA-256 of each object) written last. No temporary file. Heartbeats {@link TransferProgress}.
   * A label whose {@code pgdr-base.json} exists is returned as it is.
   *
   * @param label the base backup's directory name under {@code base/} (sortable: a UTC timestamp)
   */
  @ActivityMethod
  BaseBackupResult takeBaseBackup(BackupLocation location, PostgresServer server, String label);
}
