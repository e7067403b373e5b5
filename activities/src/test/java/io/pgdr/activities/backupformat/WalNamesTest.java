package io.pgdr.activities.backupformat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** WAL locations, segment names, timeline history files and backup labels as PostgreSQL writes them. */
class WalNamesTest {

  private static final long MIB16 = Lsn.DEFAULT_SEGMENT_SIZE;

  @Test
  void locationsReadAndPrintAsPostgresDoes() {
    assertEquals(0x3000028L, Lsn.parse("0/3000028").value());
    assertEquals(0x1_0000_0000L + 0xA0L, Lsn.parse("1/A0").value());
    assertEquals("1/A0", new Lsn(0x1_0000_00A0L).toString());
    assertEquals("0/0", new Lsn(0).toString());
    assertTrue(Lsn.parse("0/FFFFFFFF").isBefore(Lsn.parse("1/0")));
    for (String bad : new String[] {"", "0-3000028", "0/", "123456789/0", "0/3000028x"}) {
      assertThrows(IllegalArgumentException.class, () -> Lsn.parse(bad), bad);
    }
  }

  @ParameterizedTest(name = "{0} in {1} MiB segments -> {2}")
  @CsvSource({
      "0/3000028, 16, 3, 000000010000000000000003",
      "0/FF000000, 16, 255, 0000000100000000000000FF",
      "1/0, 16, 256, 000000010000000100000000",
      "1/2000000, 16, 258, 000000010000000100000002",
      "0/7FFFFFF, 64, 1, 000000010000000000000001",
      "2/8000000, 64, 130, 000000010000000200000002",
      "0/300000, 1, 3, 000000010000000000000003",
  })
  void locationsMapToSegments(String lsn, long mib, long segment, String name) {
    long size = mib << 20;
    assertEquals(segment, Lsn.parse(lsn).segment(size));
    assertEquals(name, Lsn.segmentName(1, segment, size));
    assertEquals(segment, WalFileName.parse(name).orElseThrow().segmentNumber(size));
  }

  @Test
  void archiveFileNamesAreTold() {
    WalFileName segment = WalFileName.parse("0000000A00000001000000FE.zst").orElseThrow();
    assertEquals(WalFileName.Kind.SEGMENT, segment.kind());
    assertEquals(10, segment.timeline());
    assertEquals(0x1FE, segment.segmentNumber(MIB16));
    assertEquals("zst", segment.compression());
    assertEquals(WalFileName.Kind.PARTIAL, WalFileName.parse("000000010000000000000009.partial").orElseThrow().kind());
    assertEquals(WalFileName.Kind.PARTIAL, WalFileName.parse("000000010000000000000009.partial.gz").orElseThrow().kind());
    assertEquals(WalFileName.Kind.PARTIAL, WalFileName.parse("000000010000000000000009.lz4.partial").orElseThrow().kind());
    WalFileName history = WalFileName.parse("00000002.history").orElseThrow();
    assertEquals(WalFileName.Kind.HISTORY, history.kind());
    assertEquals(2, history.timeline());
    WalFileName label = WalFileName.parse("000000010000000000000002.00000028.backup.gz").orElseThrow();
    assertEquals(WalFileName.Kind.BACKUP_LABEL, label.kind());
    assertEquals(Lsn.parse("0/2000028"), label.labelStart(MIB16));
    assertEquals("gz", label.compression());
    for (String other : new String[] {"latest.dump", "00000001000000000000001", "000000010000000000000001.old", "0000002.history"}) {
      assertTrue(WalFileName.parse(other).isEmpty(), other);
    }
    // 0x100 is no segment of 16 MiB (256 a log): the archive's segments must be bigger
    assertThrows(IllegalArgumentException.class, () -> WalFileName.parse("000000010000000000000100").orElseThrow().segmentNumber(MIB16));
  }

  @Test
  void historyFileListsAncestorsOldestFirst() {
    TimelineHistory h = TimelineHistory.parse(3, """
        # a comment
        1\t0/9000060\tno recovery target specified

        2\t0/C0000A0\tbefore 2025-01-10 02:30:00.000000+00
        """);
    assertEquals(2, h.switches().size());
    assertEquals(new TimelineHistory.Switch(1, Lsn.parse("0/9000060"), "no recovery target specified"), h.switches().get(0));
    assertEquals("before 2025-01-10 02:30:00.000000+00", h.switches().get(1).reason());
    assertEquals(2, h.parent());
    assertEquals(Lsn.parse("0/C0000A0"), h.begin());
    assertEquals(0, TimelineHistory.root(1).parent());
  }

  @Test
  void malformedHistoryNamesItsLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimelineHistory.parse(2, "1\tnowhere\tx\n"));
    assertTrue(e.getMessage().startsWith("00000002.history line 1 is not"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TimelineHistory.parse(2, "2\t0/1000000\tx\n"), "a parent must be older");
    assertThrows(IllegalArgumentException.class, () -> TimelineHistory.parse(4, "1\t0/9000000\tx\n2\t0/8000000\ty\n"), "switch points increase");
  }

  @Test
  void backupHistoryLabelAsArchivedAtTheEndOfABaseBackup() {
    BackupLabel label = BackupLabel.parse(ArchiveSamples.BACKUP_LABEL);
    assertEquals(Lsn.parse("0/2000028"), label.startLsn());
    assertEquals(Lsn.parse("0/2000100"), label.stopLsn());
    assertEquals(Lsn.parse("0/2000060"), label.checkpointLsn());
    assertEquals(Instant.parse("2025-01-10T02:00:00Z"), label.startTime());
    assertEquals(Instant.parse("2025-01-10T02:00:03Z"), label.stopTime());
    assertEquals("pg_basebackup base backup", label.label());
    assertEquals(1, label.startTimeline());
    assertEquals(1, label.stopTimeline());
  }

  @Test
  void backupLabelInsideABaseBackupHasNoStopLines() {
    BackupLabel label = BackupLabel.parse("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nSTART TIME: 2025-01-10 03:00:00 +01\n"
        + "LABEL: nightly\nSTART TIMELINE: 2\n");
    assertNull(label.stopLsn());
    assertNull(label.stopTime());
    assertEquals(Instant.parse("2025-01-10T02:00:00Z"), label.startTime());
    assertEquals(2, label.startTimeline());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "2025-01-10 02:00:00 UTC, 2025-01-10T02:00:00Z",
      "2025-01-10 02:00:00 GMT, 2025-01-10T02:00:00Z",
      "2025-01-10 05:00:00 +03, 2025-01-10T02:00:00Z",
      "2025-01-10 07:30:00 +0530, 2025-01-10T02:00:00Z",
      "2025-01-09 22:30:00 -0330, 2025-01-10T02:00:00Z",
      "2025-01-10 03:00:00 CET, 2025-01-10T02:00:00Z",
  })
  void labelTimesInTheServersZone(String text, String instant) {
    assertEquals(Instant.parse(instant), BackupLabel.time("START TIME", text));
  }

  @Test
  void malformedLabelsAreRefused() {
    for (String bad : List.of("LABEL: x\n", "START WAL LOCATION: somewhere\n", "START WAL LOCATION: 0/1 (file x)\nSTART TIME: yesterday\n",
        "START WAL LOCATION: 0/1\nSTART TIMELINE: one\n")) {
      assertThrows(IllegalArgumentException.class, () -> BackupLabel.parse(bad), bad);
    }
  }
}
