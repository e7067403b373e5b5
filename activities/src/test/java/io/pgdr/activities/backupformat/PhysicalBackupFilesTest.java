package io.pgdr.activities.backupformat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which keys (relative to the location's prefix) the catalog leaves out as a physical backup's files, by name alone. */
class PhysicalBackupFilesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      // WAL segments, as archive_command, pg_receivewal, pgBackRest and WAL-G store them
      "wal/000000010000000000000001, skipped",
      "000000010000000000000001, skipped",
      "wal/0000000A00000001000000FE.gz, skipped",
      "wal/000000010000000000000001.lz4, skipped",
      "wal/000000010000000000000001.zst, skipped",
      "wal/000000010000000000000001.br, skipped",
      "wal/000000010000000000000002.partial, skipped",
      "wal/000000010000000000000002.gz.partial, skipped",
      "archive/15-1/0000000100000000/000000010000000000000003-2d9d4e8f0c6b1a3e5f7d9c1b3a5e7f9d1c3b5a7e.gz, skipped",
      // timeline and backup history files
      "wal/00000002.history, skipped",
      "wal/00000002.history.gz, skipped",
      "wal/000000010000000000000002.00000028.backup, skipped",
      // base-backup members, by directory
      "base/20250110T020000/base.tar.gz, skipped",
      "base/20250110T020000/global/pg_control, skipped",
      "base/20250110T020000/postgresql.auto.conf, skipped",
      "basebackup/2025-01-10/anything.bin, skipped",
      "basebackups_005/base_000000010000000000000002/tar_partitions/part_1.tar.lz4, skipped",
      // base-backup members, by name, wherever they sit
      "20250110/backup_label, skipped",
      "20250110/backup_manifest, skipped",
      "20250110/tablespace_map, skipped",
      "20250110/PG_VERSION, skipped",
      "20250110/base.tar, skipped",
      "20250110/base.tar.zst, skipped",
      "20250110/pg_wal.tar.lz4, skipped",
      "20250110/16385.tar.gz, skipped",
      // dumps and everything else stay candidates
      "latest.dump, candidate",
      "2025-01-10.dump, candidate",
      "2026-11-20.sql, candidate",
      "weekly/fabrica.backup, candidate",
      "database.tar, candidate",
      "00000001000000000000001, candidate",
      "000000010000000000000001.old, candidate",
      "wal/notes.txt, candidate",
      "baseline/latest.dump, candidate",
      "my-base/latest.bin, candidate",
      // a name that says dump wins over a base/ directory: hiding a real dump is worse than checking a stray one
      "base/latest.dump, candidate",
  })
  void keyRule(String keyUnderPrefix, String expected) {
    assertEquals(expected, PhysicalBackupFiles.recognises(keyUnderPrefix) ? "skipped" : "candidate", keyUnderPrefix);
  }
}
