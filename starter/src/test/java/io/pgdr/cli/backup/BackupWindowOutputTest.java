package io.pgdr.cli.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.BaseBackup;
import io.pgdr.activities.backupformat.Lsn;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.backupformat.TimelineHistory;
import io.pgdr.activities.backupformat.WalArchive;
import io.pgdr.cli.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What `pgdr backup window` and the physical part of `pgdr backup list` print for an archive after one PITR. */
class BackupWindowOutputTest {

  static final long SIZE = Lsn.DEFAULT_SEGMENT_SIZE;
  static final Instant T0 = Instant.parse("2025-01-10T02:00:00Z");

  static RecoverableWindow window() {
    List<WalArchive.Segment> segments = new ArrayList<>();
    for (int n = 1; n <= 12; n++) {
      if (n != 5) {
        segments.add(new WalArchive.Segment(1, n, Lsn.segmentName(1, n, SIZE), T0.plusSeconds(60L * n), SIZE, Lsn.segmentName(1, n, SIZE)));
      }
    }
    for (int n = 9; n <= 10; n++) {
      segments.add(new WalArchive.Segment(2, n, Lsn.segmentName(2, n, SIZE), T0.plusSeconds(60L * (22 + n)), SIZE, Lsn.segmentName(2, n, SIZE)));
    }
    BaseBackup base = new BaseBackup("20250110T020100", "db/base/20250110T020100/", 1, Lsn.parse("0/2000028"), Lsn.parse("0/2000100"),
        T0.plusSeconds(60), T0.plusSeconds(90), T0.plusSeconds(95), 3 << 20, List.of("base.tar.gz"), "pgdr-base.json", null);
    BaseBackup later = new BaseBackup("20250110T020600", "db/base/20250110T020600/", 1, Lsn.parse("0/6000028"), Lsn.parse("0/6000100"),
        null, T0.plusSeconds(370), T0.plusSeconds(375), 3 << 20, List.of("base.tar.gz"), "pgdr-base.json", null);
    BaseBackup broken = new BaseBackup("junk", "db/base/junk/", 0, null, null, null, null, T0, 10, List.of("base.tar.gz"), "the listing",
        "no pgdr-base.json, backup_manifest or .backup label with LABEL junk: its WAL locations are unknown");
    return new RecoverableWindow(List.of(base, later, broken), new WalArchive(SIZE, segments, List.of("000000010000000000000009.partial"),
        Map.of(2, TimelineHistory.parse(2, "1\t0/9000060\tno recovery target specified\n")), Map.of(2, T0.plusSeconds(1800)), List.of()));
  }

  @Test
  void windowPrintsEachTimelineWithItsGapsSwitchesBaseBackupsAndRanges() {
    StringWriter text = new StringWriter();
    BackupWindowCommand.print(new PrintWriter(text), "s3://fabrica-agentes-backups/db/", window());
    String out = text.toString();

    assertTrue(out.startsWith("physical archive under s3://fabrica-agentes-backups/db/ (WAL segments of 16.0 MiB)"), out);
    assertTrue(out.contains("timeline 1\n  wal archive: 000000010000000000000001 .. 00000001000000000000000C (11 segments"), out);
    assertTrue(out.contains("  gap: 000000010000000000000005 (1 segment missing)"), out);
    assertTrue(out.contains("  switch: timeline 2 branched off at 0/9000060 (no recovery target specified)"), out);
    assertTrue(out.contains("  base backup 20250110T020100: start 0/2000028 (2025-01-10T02:01:00Z), stop 0/2000100 (2025-01-10T02:01:30Z), 3.0 MiB (pgdr-base.json)"), out);
    assertTrue(out.contains("  recoverable from base 20250110T020100: 0/2000100 (2025-01-10T02:01:30Z) to 0/5000000 (000000010000000000000004, stored 2025-01-10T02:04:00Z)"), out);
    assertTrue(out.contains("  recoverable from base 20250110T020600: 0/6000100 (2025-01-10T02:06:10Z) to 0/D000000"), out);
    assertTrue(out.contains("timeline 2 (branched from timeline 1 at 0/9000060, history stored 2025-01-10T02:30:00Z)"), out);
    assertTrue(out.contains("  recoverable from base 20250110T020600: 0/6000100 (2025-01-10T02:06:10Z) to 0/B000000"), out);
    assertTrue(out.contains("base backups that cannot serve a recovery:\n  junk: no pgdr-base.json"), out);
    assertTrue(out.contains("partial segments (left by promotions, not read by recovery): 000000010000000000000009.partial"), out);
    assertFalse(out.contains("problems:"), out);
  }

  @Test
  void listSummarisesTheWalArchiveInOneLine() {
    StringWriter text = new StringWriter();
    BackupListCommand.printPhysical(new PrintWriter(text), "s3://fabrica-agentes-backups/db/", window());
    String out = text.toString();

    assertTrue(out.startsWith("base backups under s3://fabrica-agentes-backups/db/base/\n"), out);
    assertTrue(out.contains("  20250110T020100              timeline 1   start 0/2000028    stop 0/2000100"), out);
    assertTrue(out.contains("NOT USABLE: no pgdr-base.json"), out);
    assertTrue(out.contains("wal archive under s3://fabrica-agentes-backups/db/wal/: 13 segments on timelines 1, 2, "
        + "000000010000000000000001 .. 00000002000000000000000A, last stored 2025-01-10T02:32:00Z, 1 segment missing, 1 partial"), out);
    assertFalse(out.contains("000000010000000000000002"), "no segment listed one by one: " + out);
    String json = Json.write(BackupListCommand.WalSummary.of(window()));
    assertTrue(json.contains("\"segments\" : 13"), json);
  }

  @Test
  void windowJsonWritesLocationsAsPostgresDoes() {
    RecoverableWindow w = window();
    String json = Json.write(new BackupWindowCommand.WindowView("s3://b/db/", w.segmentSize(), w.timelines(), w.baseBackups(), w.partials(),
        w.problems(), w.resolve(new RecoverableWindow.LsnTarget(Lsn.parse("0/3000000"), null), T0.plusSeconds(86400)), null));
    assertTrue(json.contains("\"startLsn\" : \"0/2000028\""), json);
    assertTrue(json.contains("\"begin\" : \"0/9000060\""), json);
    assertTrue(json.contains("\"served\" : {"), json);
    assertTrue(json.contains("\"segments\" : [ \"000000010000000000000002\", \"000000010000000000000003\" ]"), json);
  }
}
