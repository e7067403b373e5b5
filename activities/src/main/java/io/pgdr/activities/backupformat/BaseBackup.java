package io.pgdr.activities.backupformat;

import java.time.Instant;
import java.util.List;

/**
 * A base backup under {@code <prefix>base/<label>/} (pg_basebackup's tar format: {@code base.tar.gz},
 * {@code pg_wal.tar.gz}, {@code backup_manifest}, plain {@code .tar} too), with what pgdr could learn
 * of it: from pgdr's {@code pgdr-base.json} when present, else the {@code backup_manifest}'s WAL
 * range and the archive's {@code .backup} label for that start location.
 *
 * @param label the directory's name under {@code base/}
 * @param key the directory's key, ending in {@code /}
 * @param timeline the timeline it was taken on; 0 when not known
 * @param startLsn where its WAL starts (recovery reads from its segment on); null when not known
 * @param stopLsn where it becomes consistent (no target before it); null when not known
 * @param startTime START TIME, when known
 * @param stopTime STOP TIME, when known
 * @param storedBy the newest last-modified time of its objects: an upper bound of its stop time
 * @param sizeBytes its objects' stored bytes
 * @param files its objects' names within the directory
 * @param source where its locations and times come from
 * @param problem why it cannot serve a recovery, or null
 */
public record BaseBackup(String label, String key, int timeline, Lsn startLsn, Lsn stopLsn, Instant startTime, Instant stopTime,
    Instant storedBy, long sizeBytes, List<String> files, String source, String problem) {

  public BaseBackup {
    files = List.copyOf(files);
  }

  public boolean usable() {
    return problem == null && startLsn != null && stopLsn != null && timeline > 0;
  }

  /** When it was consistent at the latest: its STOP TIME, else when its last object was stored. */
  public Instant readyBy() {
    return stopTime != null ? stopTime : storedBy;
  }
}
