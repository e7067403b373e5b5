package io.pgdr.activities.backupformat;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WAL location as PostgreSQL writes it ({@code 0/3000028}: the high and low 32 bits in hex), and
 * its mapping to WAL segments: segment number {@code lsn / segmentSize}, named
 * {@code <timeline><log><seg>} with {@code log = segno / (4 GiB / segmentSize)}.
 */
public record Lsn(long value) implements Comparable<Lsn> {

  /** initdb's default {@code --wal-segsize}. */
  public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;

  private static final Pattern TEXT = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

  /** @throws IllegalArgumentException naming the expected form */
  public static Lsn parse(String text) {
    Matcher m = text == null ? null : TEXT.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("not a WAL location: " + text + " (expected the form 0/3000028, as pg_current_wal_lsn() prints it)");
    }
    // the form is checked here; the conversion is the project's one (io.pgdr.run.Lsn)
    return new Lsn(io.pgdr.run.Lsn.parse(m.group()));
  }

  public static Lsn ofSegmentStart(long segmentNumber, long segmentSize) {
    return new Lsn(segmentNumber * segmentSize);
  }

  /** The number of the segment holding this location. */
  public long segment(long segmentSize) {
    return Long.divideUnsigned(value, segmentSize);
  }

  /** How many segments one 4 GiB "log" holds: 256 for 16 MiB segments. */
  public static long segmentsPerLog(long segmentSize) {
    return 0x1_0000_0000L / segmentSize;
  }

  /** The file name PostgreSQL gives a segment: {@code 000000010000000000000003}. */
  public static String segmentName(int timeline, long segmentNumber, long segmentSize) {
    long perLog = segmentsPerLog(segmentSize);
    return String.format("%08X%08X%08X", timeline, segmentNumber / perLog, segmentNumber % perLog);
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  public boolean isBefore(Lsn other) {
    return compareTo(other) < 0;
  }

  @JsonValue
  @Override
  public String toString() {
    return io.pgdr.run.Lsn.format(value);
  }
}
