package io.pgdr.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.ArchiveSamples;
import io.pgdr.activities.backupformat.BaseBackup;
import io.pgdr.activities.backupformat.Lsn;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.store.KeysCalled;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.target.BackupLocation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synthetic runbook-000 D archive in the lab's S3 store (S3Mock), as pg_basebackup -Ft -z and a
 * plain archive_command leave it after one PITR: the window is read from the store's listing and
 * its small files only, and a target is served or refused from it. Segments are small stand-ins
 * (their content is never read; the segment size stays the 16 MiB default).
 */
@Tag("real-servers")
class PhysicalArchiveInTheStoreTest {

  @TempDir static Path dir;
  static S3Fixture s3;

  @BeforeAll
  static void start() {
    s3 = S3Fixture.start(dir.resolve("s3"));
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void windowOfAnArchiveAfterOnePitrWithAGap() {
    BackupLocation location = s3.freshLocation();
    String prefix = location.prefix();
    List<String> segments = new ArrayList<>();
    for (int n = 1; n <= 12; n++) {
      if (n != 11) { // deleted: a gap on timeline 1 after the branch
        segments.add(prefix + "wal/" + Lsn.segmentName(1, n, Lsn.DEFAULT_SEGMENT_SIZE));
      }
    }
    for (int n = 9; n <= 10; n++) {
      segments.add(prefix + "wal/" + Lsn.segmentName(2, n, Lsn.DEFAULT_SEGMENT_SIZE) + ".gz");
    }
    segments.forEach(key -> s3.put(key, new byte[4096]));
    s3.put(prefix + "wal/000000010000000000000009.partial", new byte[4096]);
    s3.put(prefix + "wal/00000002.history", "1\t0/9000060\tbefore 2025-01-10 02:08:30+00\n");
    s3.put(prefix + "wal/000000010000000000000002.00000028.backup", ArchiveSamples.BACKUP_LABEL);
    s3.put(prefix + "base/20250110T020000/base.tar.gz", new byte[8192]);
    s3.put(prefix + "base/20250110T020000/pg_wal.tar.gz", new byte[1024]);
    s3.put(prefix + "base/20250110T020000/backup_manifest",
        "{\"PostgreSQL-Backup-Manifest-Version\": 1, \"Files\": [], \"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\"}]}");
    s3.put(prefix + "latest.dump", new byte[100]);
    List<String> keysCalled = new CopyOnWriteArrayList<>();

    RecoverableWindow window;
    try (S3Clients observed = new S3Clients("the test", new KeysCalled(keysCalled))) {
      window = new PhysicalArchiveReader(observed).read(location);
    }

    BaseBackup base = window.baseBackups().get(0);
    assertEquals("20250110T020000", base.label());
    assertEquals("backup_manifest + wal/000000010000000000000002.00000028.backup", base.source());
    assertEquals(Instant.parse("2025-01-10T02:00:03Z"), base.stopTime());
    assertEquals(8192 + 1024 + sizeOf(prefix), base.sizeBytes());
    RecoverableWindow.Timeline one = window.timelines().get(0);
    RecoverableWindow.Timeline two = window.timelines().get(1);
    assertEquals(11, one.segments());
    assertEquals(List.of(new RecoverableWindow.Gap("00000001000000000000000B", "00000001000000000000000B", 1)), one.gaps());
    assertEquals(List.of(new RecoverableWindow.Child(2, Lsn.parse("0/9000060"), "before 2025-01-10 02:08:30+00")), one.children());
    assertEquals(Lsn.parse("0/B000000"), one.recoverable().get(0).to());
    assertEquals(Lsn.parse("0/B000000"), two.recoverable().get(0).to(), "timeline 2's lineage: 1's 2..8, then 2's 9 and 10");
    assertEquals(List.of("000000010000000000000009.partial"), window.partials());
    assertTrue(window.problems().isEmpty(), window.problems().toString());

    RecoverableWindow.Resolution served = window.resolve(new RecoverableWindow.LsnTarget(Lsn.parse("0/A000010"), 2), Instant.now());
    assertEquals(9, served.segments().size());
    assertEquals("00000002000000000000000A.gz", served.segments().get(8), "named as stored: the feed fetches it by that key");
    RecoverableWindow.TargetRefused gap = org.junit.jupiter.api.Assertions.assertThrows(RecoverableWindow.TargetRefused.class,
        () -> window.resolve(new RecoverableWindow.LsnTarget(Lsn.parse("0/C000000"), 1), Instant.now()));
    assertEquals(RecoverableWindow.Refusal.IN_GAP, gap.refusal());

    List<String> read = keysCalled.stream().filter(k -> !k.isEmpty()).toList();
    assertEquals(List.of(prefix + "base/20250110T020000/backup_manifest", prefix + "wal/000000010000000000000002.00000028.backup",
        prefix + "wal/00000002.history").stream().sorted().toList(), read.stream().sorted().toList(), "only the small files: " + read);
    assertFalse(read.stream().anyMatch(segments::contains));
  }

  private static long sizeOf(String prefix) {
    return s3.client().headObject(b -> b.bucket(S3Fixture.BUCKET).key(prefix + "base/20250110T020000/backup_manifest")).contentLength();
  }
}
