package io.pgdr.ports;

/** Application failure types the backup and restore adapters raise, so callers can tell them apart. */
public final class BackupFailures {
  /** The bucket does not exist or the prefix holds nothing. */
  public static final String LOCATION_MISSING = "BackupLocationMissing";
  /** The store refused the credentials. */
  public static final String STORE_ACCESS_DENIED = "BackupStoreAccessDenied";
  /** A backup named by the operator does not exist. */
  public static final String BACKUP_NOT_FOUND = "BackupNotFound";
  /** A backup object does not match its manifest (size or SHA-256) while being restored. */
  public static final String BACKUP_CORRUPT = "BackupCorrupt";
  /** The database server refused pgdr's credentials. */
  public static final String CREDENTIALS_REFUSED = "CredentialsRefused";

  private BackupFailures() {}
}
