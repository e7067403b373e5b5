package io.pgdr.ports;

/**
 * The type of every application failure pgdr raises, the one place they are defined
 * (FailureTypesTest keeps it so). Workflows choose what not to retry by type, the CLI its exit
 * code, and recorded histories hold the values: a value never changes once released.
 */
public final class FailureTypes {

  // PostgreSQL servers and client programs

  /** The server did not answer, is starting or stopping, or dropped the connection: retryable. */
  public static final String SERVER_UNREACHABLE = "ServerUnreachable";
  /** The server refused pgdr's credentials (password, pg_hba.conf). */
  public static final String CREDENTIALS_REFUSED = "CredentialsRefused";
  /** Credentials the target names are not there: a Secret or variable for a server, the variables for the store's keys. */
  public static final String CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable";
  /** The database the call names does not exist on the server. */
  public static final String DATABASE_MISSING = "DatabaseMissing";
  /** The configured user lacks a privilege the call needs. */
  public static final String PERMISSION_DENIED = "PermissionDenied";
  /** Any other SQL error. */
  public static final String SQL_FAILED = "SqlFailed";
  /** The promoted server was still in recovery when the promotion's wait ran out. */
  public static final String PROMOTION_TIMED_OUT = "PromotionTimedOut";
  /** pg_restore (or another client program) cannot be run where pgdr runs. */
  public static final String CLIENT_PROGRAM_MISSING = "ClientProgramMissing";

  // Kubernetes

  /** The API server did not answer (refused, timed out, connection lost): retryable. */
  public static final String KUBERNETES_API_UNREACHABLE = "KubernetesApiUnreachable";
  /** A resource the target names does not exist. */
  public static final String KUBERNETES_RESOURCE_MISSING = "KubernetesResourceMissing";
  /** A pod's volume cannot be kept (no claim, not bound, no longer Retain), so pgdr does not recreate the pod. */
  public static final String VOLUME_NOT_KEPT = "VolumeNotKept";
  /** The writers restarted after a recovery did not become ready in time. */
  public static final String WRITERS_NOT_READY = "WritersNotReady";
  /** A drill's scratch StatefulSet cannot be made or deleted as asked (not a scratch name, not this run's, no Secret to give it). */
  public static final String SCRATCH_INSTANCE_REFUSED = "ScratchInstanceRefused";

  // Backup store (S3)

  /** The bucket does not exist or the prefix holds nothing. */
  public static final String LOCATION_MISSING = "BackupLocationMissing";
  /** The store refused the credentials. */
  public static final String STORE_ACCESS_DENIED = "BackupStoreAccessDenied";
  /** The store did not answer (network, DNS, endpoint down) or answered with a server error: retryable. */
  public static final String STORE_UNREACHABLE = "BackupStoreUnreachable";
  /** The store rejected a request for another reason (wrong region, a bad request). */
  public static final String STORE_REJECTED = "BackupStoreRejected";

  // Backups

  /** A backup named by the operator does not exist. */
  public static final String BACKUP_NOT_FOUND = "BackupNotFound";
  /** A backup object does not match its manifest (size, SHA-256, rows), or its archive is damaged. */
  public static final String BACKUP_CORRUPT = "BackupCorrupt";
  /** Taking a backup failed for another reason (a bad backup id, pg_dump, an I/O error). */
  public static final String BACKUP_FAILED = "BackupFailed";
  /** Checking a dump through pg_restore failed on pgdr's side (a temporary file, the pipe): retryable. */
  public static final String BACKUP_CHECK_FAILED = "CheckFailed";

  // Restores

  /** A restore or a swap failed for another reason (pg_restore, SQL, an I/O error). */
  public static final String RESTORE_FAILED = "RestoreFailed";
  /** The database to restore into holds tables that are not a pgdr restore in progress. */
  public static final String RESTORE_TARGET_OCCUPIED = "RestoreTargetOccupied";
  /** A database swap cannot be made as asked (a name taken, a database missing). */
  public static final String SWAP_REFUSED = "SwapRefused";
  /** A database name is not a plain SQL name, or a swap's three names are not different. */
  public static final String INVALID_DATABASE_NAME = "InvalidDatabaseName";

  // Point-in-time recovery

  /** A recovery target the archive cannot serve (malformed, in the future, before the earliest base, after the last WAL, in a gap). */
  public static final String TARGET_REFUSED = "PitrTargetRefused";
  /** The server ended recovery without reaching the target (the archive ran out, or the target was never met). */
  public static final String RECOVERY_ENDED_EARLY = "RecoveryEndedBeforeTarget";
  /** A data volume pgdr is to write cannot be reached from the worker, or holds data pgdr did not put there. */
  public static final String DATA_VOLUME_UNUSABLE = "DataVolumeUnusable";

  // Notifications

  /** The escalation webhook did not take the escalation. */
  public static final String ESCALATION_NOT_DELIVERED = "EscalationNotDelivered";

  // Runs

  /** A recovery run failed; the failure carries its report. */
  public static final String RECOVERY_FAILED = "RecoveryFailed";

  // Any activity

  /** The worker thread was interrupted (the worker is stopping): retryable. */
  public static final String INTERRUPTED = "Interrupted";

  /** The server is managed by Patroni: promoting it with pg_promote would go behind Patroni's back (two leaders). */
  public static final String PATRONI_MANAGED = "PatroniManaged";

  /** Patroni refused a failover or switchover (412 no good candidates, a candidate it would not take, 400): nothing changed. */
  public static final String PATRONI_REFUSED = "PatroniRefused";

  /** A stale server could not be made a standby of the new primary (neither rewound nor copied): its data directory is as pgdr found it or kept beside. */
  public static final String REJOIN_FAILED = "RejoinFailed";

  private FailureTypes() {}

  /** Failures that mean the operator's input names nothing usable (bucket, prefix, backup key): fix the input, not the store. */
  public static boolean isBadInput(String type) {
    return LOCATION_MISSING.equals(type) || BACKUP_NOT_FOUND.equals(type) || TARGET_REFUSED.equals(type);
  }

  /** Failures of a change step that say the change was refused before anything was done: the step changed nothing. */
  public static boolean changedNothing(String type) {
    return PATRONI_REFUSED.equals(type);
  }
}
