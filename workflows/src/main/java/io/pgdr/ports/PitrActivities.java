package io.pgdr.ports;

import io.pgdr.target.BackupLocation;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/**
 * Point-in-time recovery from a physical archive (base backups and WAL under a backup location):
 * which base backup and WAL serve a target, the base restored into a data volume, and the WAL fed to
 * the recovering server ahead of its replay. Failures no retry fixes are non-retryable, typed in
 * {@link FailureTypes}.
 */
@ActivityInterface
public interface PitrActivities {

  /** Reading the archive's listing, history files and labels: seconds, a retry rides out a store hiccup. */
  CallOptions READ_ARCHIVE = CallOptions.heartbeating(Duration.ofMinutes(10), 3, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.TARGET_REFUSED, FailureTypes.LOCATION_MISSING, FailureTypes.STORE_ACCESS_DENIED);

  /**
   * Streaming a base backup into a volume, or feeding WAL to a recovery: hours for a big cluster.
   * The heartbeat notices a lost worker within seconds; the next attempt resumes (the base restore
   * from the start of the volume pgdr made, the WAL from the server's replay position).
   */
  CallOptions LONG_TRANSFER = CallOptions.heartbeating(Duration.ofHours(12), 5, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.TARGET_REFUSED, FailureTypes.LOCATION_MISSING, FailureTypes.STORE_ACCESS_DENIED,
          FailureTypes.BACKUP_CORRUPT, FailureTypes.RECOVERY_ENDED_EARLY, FailureTypes.DATA_VOLUME_UNUSABLE);

  CallTable<PitrActivities> CALLS = CallTable.of(PitrActivities.class)
      .calls(READ_ARCHIVE, "resolveTarget")
      .calls(LONG_TRANSFER, "restoreBase", "recoverToTarget")
      .build();

  /**
   * The base backup, timeline and WAL that serve the target; read-only. A target the archive cannot
   * serve fails with {@link FailureTypes#TARGET_REFUSED}, its message naming the recoverable window.
   */
  @ActivityMethod
  PitrResolution resolveTarget(BackupLocation location, PitrTarget target);

  /**
   * Streams the base backup from the store into the volume's empty directory (no download, then
   * untar), checks every file against the backup's {@code backup_manifest}, gives the files the
   * directory's owner, and sets up the recovery: {@code recovery.signal}, the target, the timeline,
   * {@code recovery_target_action = 'promote'}, and a {@code restore_command} that reads the WAL
   * spool {@link #recoverToTarget} fills. Heartbeats {@link TransferProgress}. A directory left
   * half-written by an earlier attempt of this run is emptied and written again; a directory
   * holding anything else is refused ({@link FailureTypes#DATA_VOLUME_UNUSABLE}).
   */
  @ActivityMethod
  RestoredBase restoreBase(DataVolume volume, BackupLocation location, PitrResolution resolution, PitrTarget target, String runId);

  /**
   * Feeds the recovering server on {@code volume}: fetches the WAL segments it will ask for, in
   * parallel and ahead of its replay, into the spool its {@code restore_command} reads, and follows
   * it until it has promoted at the target; then removes the spool and the recovery settings.
   * Heartbeats segments fetched, bytes and the replayed location. A retry resumes from the server's
   * replay position and never fetches a spooled segment again. Recovery that ends short of the
   * target fails with {@link FailureTypes#RECOVERY_ENDED_EARLY}.
   */
  @ActivityMethod
  RecoveryReached recoverToTarget(DataVolume volume, PostgresServer server, BackupLocation location, PitrResolution resolution,
      PitrTarget target);
}
