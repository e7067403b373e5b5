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

  CallTable<BackupActivities> CALLS = CallTable.of(BackupActivities.class)
      .calls(READ_STORE, "listBackups", "checkBackup", "takeBackup")
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
}
