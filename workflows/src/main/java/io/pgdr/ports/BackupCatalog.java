package io.pgdr.ports;

import java.util.List;
import java.util.Optional;

/**
 * The backups under one location, newest first, each with its check's verdict. Invalid ones stay
 * listed with their reason: nothing is skipped silently.
 *
 * @param location {@code s3://bucket/prefix}
 */
public record BackupCatalog(String location, List<BackupEntry> entries) {

  public BackupCatalog {
    entries = List.copyOf(entries);
  }

  /** The newest backup that passed its check. */
  public Optional<BackupEntry> latestValid() {
    return entries.stream().filter(BackupEntry::valid).findFirst();
  }
}
