package io.pgdr.activities.backupformat;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file of a WAL archive, by name (runbook 000's {@code db/wal/%f}, as {@code archive_command}
 * leaves it): a segment {@code <timeline 8 hex><log 8 hex><seg 8 hex>}, the {@code .partial}
 * segment an old timeline leaves at a promotion, a timeline history {@code <timeline>.history}, a
 * backup history label {@code <segment>.<offset>.backup}; each possibly compressed ({@code .gz},
 * {@code .zst}, {@code .lz4}, ...).
 *
 * @param timeline the segment's, history's or label's timeline
 * @param log the segment's high part (4 GiB units); 0 for a history file
 * @param seg the segment within the log; 0 for a history file
 * @param offset a backup label's start offset within its segment; 0 otherwise
 * @param compression the compression suffix without its dot, or null
 */
public record WalFileName(String name, Kind kind, int timeline, long log, long seg, long offset, String compression) {

  public enum Kind { SEGMENT, PARTIAL, HISTORY, BACKUP_LABEL }

  private static final String COMPRESSED = "(?:\\.(gz|lz4|zst|br|bz2|xz))?";
  private static final Pattern SEGMENT =
      Pattern.compile("([0-9A-Fa-f]{8})([0-9A-Fa-f]{8})([0-9A-Fa-f]{8})(\\.partial)?" + COMPRESSED + "(\\.partial)?");
  private static final Pattern HISTORY = Pattern.compile("([0-9A-Fa-f]{8})\\.history" + COMPRESSED);
  private static final Pattern BACKUP_LABEL =
      Pattern.compile("([0-9A-Fa-f]{8})([0-9A-Fa-f]{8})([0-9A-Fa-f]{8})\\.([0-9A-Fa-f]{8})\\.backup" + COMPRESSED);

  /** The file's name parsed, or empty for a name no WAL archive uses. */
  public static Optional<WalFileName> parse(String name) {
    Matcher m = SEGMENT.matcher(name);
    if (m.matches()) {
      boolean partial = m.group(4) != null || m.group(6) != null;
      return Optional.of(new WalFileName(name, partial ? Kind.PARTIAL : Kind.SEGMENT, hex(m.group(1)), hexLong(m.group(2)),
          hexLong(m.group(3)), 0, m.group(5)));
    }
    m = HISTORY.matcher(name);
    if (m.matches()) {
      return Optional.of(new WalFileName(name, Kind.HISTORY, hex(m.group(1)), 0, 0, 0, m.group(2)));
    }
    m = BACKUP_LABEL.matcher(name);
    if (m.matches()) {
      return Optional.of(new WalFileName(name, Kind.BACKUP_LABEL, hex(m.group(1)), hexLong(m.group(2)), hexLong(m.group(3)),
          hexLong(m.group(4)), m.group(5)));
    }
    return Optional.empty();
  }

  /**
   * The segment's number (its start LSN divided by the segment size).
   *
   * @throws IllegalArgumentException when {@code seg} does not fit the size: the archive's segments are bigger
   */
  public long segmentNumber(long segmentSize) {
    long perLog = Lsn.segmentsPerLog(segmentSize);
    if (seg >= perLog) {
      throw new IllegalArgumentException(name + " cannot be a segment of " + (segmentSize >> 20) + " MiB (seg part "
          + Long.toHexString(seg).toUpperCase() + " ≥ " + Long.toHexString(perLog).toUpperCase() + ")");
    }
    return log * perLog + seg;
  }

  /** A backup label's start location: its segment's start plus its offset. */
  public Lsn labelStart(long segmentSize) {
    return new Lsn(Lsn.ofSegmentStart(segmentNumber(segmentSize), segmentSize).value() + offset);
  }

  private static int hex(String digits) {
    return (int) Long.parseLong(digits, 16);
  }

  private static long hexLong(String digits) {
    return Long.parseLong(digits, 16);
  }
}
