package io.pgdr.ports;

import java.time.Instant;

/**
 * One backup found under a backup location, with the verdict of its check.
 *
 * @param key the object key that names the backup: a pgdr backup's {@code manifest.json}, or a
 *     dump object (e.g. {@code db/latest.dump})
 * @param format {@link #PGDR} (taken by pgdr: manifest, one object per table part) or
 *     {@link #CUSTOM} (a {@code pg_dump -Fc} file taken by someone else)
 * @param startTime when the backup's snapshot was taken (its data is as of then): the manifest's
 *     start time, or a dump's archive creation time; null when not known
 * @param endTime when the backup was complete: the manifest's end time, else the object's
 *     last-modified time
 * @param sizeBytes the backup's total size in the store
 * @param serverVersion PostgreSQL version the backup was taken from, when known
 * @param valid whether it passed its check (complete, readable, checksums when a manifest gives them)
 * @param reason why it is not valid, or what was checked when it is
 */
public record BackupEntry(
    String key,
    String format,
    Instant startTime,
    Instant endTime,
    long sizeBytes,
    String serverVersion,
    boolean valid,
    String reason) {

  public static final String PGDR = "pgdr";
  public static final String CUSTOM = "custom";

  /** The moment the backup's data stands for: its snapshot when known, else when it was complete. RPO counts from here. */
  public Instant dataAsOf() {
    return startTime != null ? startTime : endTime;
  }
}
