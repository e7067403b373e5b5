package io.pgdr.activities.backupformat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Runbook 000 D's layout read from a listing and its small files: where each base backup's locations and times come from. */
class PhysicalArchiveTest {

  static final Instant T0 = Instant.parse("2025-01-10T02:00:00Z");
  static final long MIB16 = Lsn.DEFAULT_SEGMENT_SIZE;

  final List<PhysicalArchive.StoredFile> files = new ArrayList<>();
  final Map<String, byte[]> contents = new HashMap<>();
  final List<String> read = new ArrayList<>();

  void put(String key, long size, int minute, String content) {
    files.add(new PhysicalArchive.StoredFile(key, size, T0.plusSeconds(minute * 60L)));
    if (content != null) {
      contents.put(key, content.getBytes(StandardCharsets.UTF_8));
    }
  }

  void put(String key, int minute, byte[] content) {
    files.add(new PhysicalArchive.StoredFile(key, content.length, T0.plusSeconds(minute * 60L)));
    contents.put(key, content);
  }

  RecoverableWindow window() {
    return PhysicalArchive.read("db/", files, key -> {
      read.add(key);
      return contents.get(key);
    });
  }

  static String label(String start, String stop, String time, String label) {
    return "START WAL LOCATION: " + start + " (file x)\nSTOP WAL LOCATION: " + stop + " (file x)\nSTART TIME: " + time + " UTC\n"
        + "LABEL: " + label + "\nSTART TIMELINE: 1\nSTOP TIME: " + time + " UTC\nSTOP TIMELINE: 1\n";
  }

  @Test
  void eachBaseBackupIsReadFromTheBestDescriptionItHas() {
    for (int n = 1; n <= 9; n++) {
      put("db/wal/" + Lsn.segmentName(1, n, MIB16), MIB16, n, null);
    }
    // pg_basebackup -Ft -z with its manifest, and the archive's .backup label for its start
    put("db/base/a/base.tar.gz", 3 << 20, 2, null);
    put("db/base/a/pg_wal.tar.gz", 1 << 20, 2, null);
    put("db/base/a/backup_manifest", 900, 2, "{\"PostgreSQL-Backup-Manifest-Version\": 1, \"Files\": [],"
        + " \"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\"}]}");
    put("db/wal/000000010000000000000002.00000028.backup", 300, 2, label("0/2000028", "0/2000100", "2025-01-10 02:01:30", "pg_basebackup base backup"));
    // pgdr's own description
    put("db/base/b/base.tar", 9 << 20, 5, null);
    put("db/base/b/pgdr-base.json", 400, 5, "{\"startLsn\": \"0/4000028\", \"stopLsn\": \"0/4000100\", \"timeline\": 1,"
        + " \"startTime\": \"2025-01-10T02:04:00Z\", \"stopTime\": \"2025-01-10T02:04:20Z\", \"sizeBytes\": 9437184}");
    // only a .backup label naming the directory (pg_basebackup -l c)
    put("db/base/c/base.tar.gz", 3 << 20, 7, null);
    put("db/wal/000000010000000000000006.00000028.backup", 300, 7, label("0/6000028", "0/6000100", "2025-01-10 02:06:40", "c"));
    // nothing tells where it starts
    put("db/base/d/base.tar.gz", 3 << 20, 8, null);
    // a manifest without the tar: incomplete
    put("db/base/e/backup_manifest", 900, 8, "{\"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/7000028\", \"End-LSN\": \"0/7000100\"}]}");

    RecoverableWindow window = window();

    Map<String, BaseBackup> bases = new HashMap<>();
    window.baseBackups().forEach(b -> bases.put(b.label(), b));
    BaseBackup a = bases.get("a");
    assertEquals(Lsn.parse("0/2000028"), a.startLsn());
    assertEquals(Lsn.parse("0/2000100"), a.stopLsn());
    assertEquals(Instant.parse("2025-01-10T02:01:30Z"), a.stopTime());
    assertEquals("backup_manifest + wal/000000010000000000000002.00000028.backup", a.source());
    assertEquals((3 << 20) + (1 << 20) + 900, a.sizeBytes());
    assertTrue(a.usable());
    BaseBackup b = bases.get("b");
    assertEquals("pgdr-base.json", b.source());
    assertEquals(Lsn.parse("0/4000100"), b.stopLsn());
    assertEquals(Instant.parse("2025-01-10T02:04:20Z"), b.stopTime());
    assertEquals(1, b.timeline());
    BaseBackup c = bases.get("c");
    assertEquals("the .backup label whose LABEL is c", c.source());
    assertEquals(Lsn.parse("0/6000028"), c.startLsn());
    assertFalse(bases.get("d").usable());
    assertTrue(bases.get("d").problem().contains("its WAL locations are unknown"), bases.get("d").problem());
    assertEquals("no base.tar in it: incomplete", bases.get("e").problem());
    assertEquals(List.of("a", "b", "c"), window.timelines().get(0).recoverable().stream().map(RecoverableWindow.Range::base).toList());
    assertFalse(read.stream().anyMatch(k -> k.endsWith(".tar") || k.endsWith(".tar.gz") || k.matches(".*/[0-9A-F]{24}")),
        "no segment or tar read: " + read);
    assertFalse(read.contains("db/base/b/backup_manifest"));
  }

  @Test
  void historiesAreReadGzippedOrNotAndPartialsAreListedApart() throws IOException {
    put("db/wal/000000010000000000000001", MIB16, 1, null);
    put("db/wal/000000010000000000000002.gz", 40_000, 2, null);
    put("db/wal/000000010000000000000002", MIB16, 2, null);
    put("db/wal/000000010000000000000003.partial", MIB16, 3, null);
    put("db/wal/000000020000000000000003.zst", 30_000, 4, null);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write("1\t0/3000060\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8));
    }
    put("db/wal/00000002.history.gz", 3, gz.toByteArray());
    put("db/wal/00000003.history.lz4", 5, "not lz4 at all".getBytes(StandardCharsets.UTF_8));
    put("db/wal/notes.txt", 50, 5, "not WAL");

    RecoverableWindow window = window();

    assertEquals(List.of(1, 2), window.timelines().stream().map(RecoverableWindow.Timeline::timeline).toList(),
        "timeline 3's history could not be read (damaged), and it has no segment");
    assertEquals(2, window.timelines().get(0).segments(), "a segment stored plain and compressed counts once");
    assertEquals(Lsn.parse("0/3000060"), window.timelines().get(1).begin());
    assertEquals(T0.plusSeconds(180), window.timelines().get(1).createdBy());
    assertEquals(List.of("000000010000000000000003.partial"), window.partials());
    assertEquals(1, window.problems().size(), window.problems().toString());
    assertTrue(window.problems().get(0).startsWith("00000003.history.lz4: not lz4: "), window.problems().toString());
    assertEquals(MIB16, window.segmentSize());
  }

  @Test
  void theSegmentSizeComesFromThePlainSegmentsSizes() {
    long mib64 = 64L << 20;
    put("db/wal/000000010000000000000001", mib64, 1, null);
    put("db/wal/000000010000000000000002", mib64, 2, null);
    put("db/wal/000000010000000000000003", 12_345, 3, null); // a truncated upload, not a size

    RecoverableWindow window = window();

    assertEquals(mib64, window.segmentSize());
    assertEquals(3, window.timelines().get(0).segments());
    assertTrue(window.timelines().get(0).gaps().isEmpty());
  }

  @Test
  void aBackupAcrossAPromotionStartsOnTheOldestTimelineOfItsManifest() {
    put("db/base/f/base.tar.gz", 3 << 20, 9, null);
    // PostgreSQL lists the WAL ranges newest timeline first
    put("db/base/f/backup_manifest", 900, 9, "{\"WAL-Ranges\": [{\"Timeline\": 2, \"Start-LSN\": \"0/9000060\", \"End-LSN\": \"0/9000200\"},"
        + " {\"Timeline\": 1, \"Start-LSN\": \"0/8000028\", \"End-LSN\": \"0/9000060\"}]}");

    BaseBackup f = window().baseBackups().get(0);

    assertEquals(1, f.timeline());
    assertEquals(Lsn.parse("0/8000028"), f.startLsn());
    assertEquals(Lsn.parse("0/9000200"), f.stopLsn());
    assertEquals("backup_manifest (no 000000010000000000000008.00000028.backup in wal/: times from the store)", f.source());
    assertEquals(T0.plusSeconds(9 * 60), f.readyBy());
  }

  @Test
  void nothingPhysicalIsNoArchive() {
    put("db/latest.dump", 100, 1, null);
    assertFalse(PhysicalArchive.present("db/", files));
    assertTrue(window().timelines().isEmpty());
    assertTrue(window().baseBackups().isEmpty());
  }
}
