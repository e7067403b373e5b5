package io.pgdr.activities.backupformat;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Recognises, by key alone, the objects of a physical backup that share a prefix with dumps
 * (runbook 000 keeps {@code db/*.dump} beside {@code db/base/<label>/...} and {@code db/wal/...}):
 * WAL segments, timeline and backup history files, and base-backup members. They are not dumps,
 * and a 16 MiB segment downloaded only to be called "not a readable pg_dump archive" costs time
 * and buries the real verdicts, so the catalog never forms a candidate from them.
 *
 * <p>A key ending in {@code .dump} is always a candidate, wherever it sits: its name says dump,
 * and hiding a real dump would be worse than checking a stray one.
 */
public final class PhysicalBackupFiles {

  /** Compression suffixes archive_command scripts, pg_receivewal, pgBackRest and WAL-G add. */
  private static final String COMPRESSED = "(\\.(gz|lz4|zst|br|bz2|xz))?";
  /** pgBackRest's segment names carry a {@code -<sha1>}; the other WAL names are {@link WalFileName}'s. */
  private static final Pattern PGBACKREST_SEGMENT =
      Pattern.compile("[0-9A-Fa-f]{24}-[0-9a-f]{40}(\\.partial)?" + COMPRESSED + "(\\.partial)?");
  /** pg_basebackup's tar format: the data directory, the WAL, one {@code <oid>.tar} per tablespace. */
  private static final Pattern BASE_BACKUP_TAR = Pattern.compile("(base|pg_wal|\\d+)\\.tar" + COMPRESSED);
  private static final List<String> BASE_BACKUP_FILES = List.of("backup_label", "backup_manifest", "tablespace_map", "PG_VERSION");
  /** Directories that hold base backups: runbook 000's {@code base/}, and WAL-G's {@code basebackups_005/}. */
  private static final Pattern BASE_BACKUP_DIRECTORY = Pattern.compile("base|basebackups?(_\\d+)?");

  private PhysicalBackupFiles() {
  }

  /**
   * @param keyUnderPrefix the object's key relative to the location's prefix, so a prefix that
   *     itself runs through a {@code base/} directory does not hide every dump under it
   */
  public static boolean recognises(String keyUnderPrefix) {
    if (keyUnderPrefix.endsWith(".dump")) {
      return false;
    }
    List<String> segments = Arrays.asList(keyUnderPrefix.split("/", -1));
    String name = segments.get(segments.size() - 1);
    return segments.subList(0, segments.size() - 1).stream().anyMatch(d -> BASE_BACKUP_DIRECTORY.matcher(d).matches())
        || WalFileName.parse(name).isPresent()
        || PGBACKREST_SEGMENT.matcher(name).matches()
        || BASE_BACKUP_TAR.matcher(name).matches()
        || BASE_BACKUP_FILES.contains(name);
  }
}
