package io.pgdr.ports;

import io.pgdr.target.BackupLocation;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/**
 * Restoring a backup into a database beside the live one, checking it, and swapping the names.
 * Nothing here drops the live database: the replaced one keeps a new name.
 */
@ActivityInterface
public interface RestoreActivities {

  /**
   * A restore runs for as long as the data takes (hours for a big database) and heartbeats its
   * progress: a lost worker is noticed in seconds and the restore resumes on another from its
   * checkpoint. Retried for long, since each retry only redoes the part in flight; a corrupt backup
   * or refused credentials are not retried.
   */
  CallOptions RESTORE = CallOptions.heartbeating(Duration.ofHours(12), 20, Duration.ofSeconds(1))
      .maxRetryInterval(Duration.ofSeconds(30))
      .notRetrying(FailureTypes.BACKUP_CORRUPT, FailureTypes.CREDENTIALS_REFUSED);
  /**
   * Row counts with ANALYZE, and the rename swap: seconds to many minutes, no progress to report;
   * they heartbeat while their statements run.
   */
  CallOptions STATEMENTS = CallOptions.heartbeating(Duration.ofMinutes(30), 3, Duration.ofSeconds(2))
      .notRetrying(FailureTypes.CREDENTIALS_REFUSED);

  CallTable<RestoreActivities> CALLS = CallTable.of(RestoreActivities.class)
      .calls(RESTORE, "restoreBackup")
      .calls(STATEMENTS, "checkRestore", "swapDatabases", "dropScratchDatabase")
      .build();

  /**
   * Restores {@code backup} into database {@code into} on {@code server} (creating it when
   * missing), streaming from the store, parts in parallel. Checkpointed inside {@code into}: each
   * part commits with its checkpoint row, so a retried attempt skips finished parts and redoes a
   * half-restored one from its start. Heartbeats {@link TransferProgress}. Never returns for a
   * partial restore: it either restores every part or fails.
   */
  @ActivityMethod
  RestoreResult restoreBackup(PostgresServer server, BackupLocation location, BackupEntry backup, String into);

  /** Row counts of every table in {@code database} against the backup's manifest. Read-only. */
  @ActivityMethod
  RestoreCheck checkRestore(PostgresServer server, BackupLocation location, BackupEntry backup, String database);

  /**
   * Ends the sessions on both databases and, in one transaction, renames {@code live} to
   * {@code keepAs} and {@code restored} to {@code live}. Idempotent: when {@code live} and
   * {@code keepAs} exist and {@code restored} does not, an earlier attempt did it.
   */
  @ActivityMethod
  SwapResult swapDatabases(PostgresServer server, String live, String restored, String keepAs);

  /**
   * Drops a drill's scratch database {@code name} on {@code server}, ending its sessions first.
   * Refuses (not retryable, {@code InvalidDatabaseName}) any name that is not a drill's scratch
   * database ({@code DatabaseNames.isDrillScratch}): a drill never drops anything else. Idempotent:
   * returns false when the database was already gone.
   */
  @ActivityMethod
  boolean dropScratchDatabase(PostgresServer server, String name);
}
