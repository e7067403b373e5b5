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
  /** The environment lacks the variables the target names for the store's keys. */
  public static final String CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable";
  /** The store did not answer (network, DNS, endpoint down) or answered with a server error. */
  public static final String STORE_UNREACHABLE = "BackupStoreUnreachable";
  /** The database server refused pgdr's credentials. */
  public static final String CREDENTIALS_REFUSED = "CredentialsRefused";

  private BackupFailures() {}

  /** Failures that mean the operator's input names nothing usable (bucket, prefix, backup key): fix the input, not the store. */
  public static boolean isBadInput(String type) {
    return LOCATION_MISSING.equals(type) || BACKUP_NOT_FOUND.equals(type);
  }
}
