package io.pgdr.activities.rejoin;

import io.pgdr.run.Lsn;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stale server's WAL after the fork as {@code pg_waldump} prints it, one record a line: where it
 * ends and which transactions it committed, the ones a rejoin discards. pg_waldump ends with an error at
 * the end of valid WAL (that is how it finds the end), so its lines count whatever its exit code.
 *
 * <pre>
 * rmgr: Transaction len (rec/tot):     34/    34, tx:        735, lsn: 0/03000150, prev 0/03000118, desc: COMMIT 2026-12-07 19:20:01.123456 UTC
 * </pre>
 */
final class DivergedWal implements Consumer<String> {

  private static final Pattern RECORD = Pattern.compile("^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s*\\d+/\\s*(\\d+), .*?lsn: ([0-9A-Fa-f]+/[0-9A-Fa-f]+),");
  /** A commit's desc; a prepared transaction's commit names its xid first. */
  private static final Pattern COMMIT = Pattern.compile(
      "desc: COMMIT(?:_PREPARED)? (?:\\d+: )?(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?) ([A-Za-z][\\w/+-]*)");
  /** PostgreSQL drops a fraction's trailing zeros: 1 to 6 digits, or none. */
  private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).toFormatter();
  /** XLOG records start at 8-byte boundaries. */
  private static final long ALIGN = 8;

  private long records;
  private long end = -1;
  private int commits;
  private Instant firstCommit;
  private Instant lastCommit;

  @Override
  public void accept(String line) {
    Matcher record = RECORD.matcher(line);
    if (!record.find()) {
      return;
    }
    records++;
    long start = Lsn.parse(record.group(3));
    long length = Long.parseLong(record.group(2));
    // the end of the last record; one that crosses a page boundary ends a page header later, which this does not add
    end = Math.max(end, (start + length + ALIGN - 1) / ALIGN * ALIGN);
    if (record.group(1).equals("Transaction")) {
      Matcher commit = COMMIT.matcher(line);
      if (commit.find()) {
        commits++;
        Instant at = instant(commit.group(1), commit.group(2));
        if (at != null) {
          firstCommit = firstCommit == null || at.isBefore(firstCommit) ? at : firstCommit;
          lastCommit = lastCommit == null || at.isAfter(lastCommit) ? at : lastCommit;
        }
      }
    }
  }

  /** How many records were read: none means the WAL after the fork was not there to read. */
  long records() {
    return records;
  }

  /** The end of the last valid record, as "X/Y"; null when none was read. */
  String end() {
    return end < 0 ? null : Lsn.format(end);
  }

  int commits() {
    return commits;
  }

  Instant firstCommit() {
    return firstCommit;
  }

  Instant lastCommit() {
    return lastCommit;
  }

  /** pg_waldump prints times in its TZ (pgdr runs it with TZ=UTC); a zone Java does not know leaves the time unknown. */
  static Instant instant(String time, String zone) {
    try {
      return LocalDateTime.parse(time, TIME).atZone(ZoneId.of(zone)).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }
}
