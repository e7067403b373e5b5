package io.pgdr.ports;

import java.time.Instant;

/**
 * One backup found under a backup location, with the verdict of its check.
 *
 * @param key the object key that names the backup: a pgdr backup's {@code manifest.json}, or a
 *     dump object (e.g. {@code db/latest.dump})
 * @param format {@link #PGDR} (taken by pgdr: manifest, one object per table part) or
 *     {@link #CUSTOM} (a {@code pg_dump -Fc} file taken by someone else)
 * @param endTime when the backup's data was taken: the manifest's end time, else the object's
 *     last-modified time (an upper bound); RPO is counted from it
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
}
