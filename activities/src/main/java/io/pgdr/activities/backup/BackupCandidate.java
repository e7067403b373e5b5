package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.PhysicalBackupFiles;
import io.pgdr.activities.report.ReportKeys;
import io.pgdr.activities.store.StoreListing;
import io.pgdr.ports.BackupEntry;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A backup as the listing alone shows it, before any check: a pgdr backup directory (with or
 * without its manifest) or a dump object someone else stored.
 *
 * @param key the manifest's key; the directory's key ({@code .../pgdr/<id>/}) when it has none; the dump's key
 * @param startTime from a pgdr backup's id (its UTC start time); null for a dump until its header is read
 * @param listedTime the newest last-modified time among its objects: orders the catalog
 * @param sizeBytes all its objects' stored bytes
 * @param complete false for a pgdr directory without a manifest
 */
record BackupCandidate(String key, String format, Instant startTime, Instant listedTime, long sizeBytes, boolean complete) {

  private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  static final Comparator<BackupCandidate> NEWEST_FIRST =
      Comparator.comparing(BackupCandidate::listedTime).thenComparing(BackupCandidate::key).reversed();

  /**
   * Every backup under the listing's prefix, newest first. Folder markers (keys ending in /) are
   * not backups, nor are a physical backup's WAL and base-backup files ({@link PhysicalBackupFiles}).
   */
  static List<BackupCandidate> from(StoreListing listing) {
    String pgdrRoot = listing.location().prefix() + BackupManifest.DIRECTORY;
    Map<String, List<S3Object>> pgdrDirectories = new TreeMap<>();
    List<BackupCandidate> candidates = new ArrayList<>();
    for (S3Object object : listing.objects().values()) {
      String key = object.key();
      if (key.startsWith(ReportKeys.ROOT)) {
        continue; // run reports, kept at the bucket's root: under a prefix of "" they would look like a backup
      }
      int idEnd = key.startsWith(pgdrRoot) ? key.indexOf('/', pgdrRoot.length()) : -1;
      if (idEnd > pgdrRoot.length()) {
        pgdrDirectories.computeIfAbsent(key.substring(0, idEnd + 1), d -> new ArrayList<>()).add(object);
      } else if (!key.endsWith("/") && !PhysicalBackupFiles.recognises(key.substring(listing.location().prefix().length()))) {
        candidates.add(new BackupCandidate(key, BackupEntry.CUSTOM, null, object.lastModified(), object.size(), true));
      }
    }
    pgdrDirectories.forEach((directory, objects) -> candidates.add(pgdr(directory, objects, pgdrRoot)));
    candidates.sort(NEWEST_FIRST);
    return candidates;
  }

  private static BackupCandidate pgdr(String directory, List<S3Object> objects, String pgdrRoot) {
    String manifestKey = directory + BackupManifest.FILE_NAME;
    S3Object manifest = objects.stream().filter(o -> o.key().equals(manifestKey)).findFirst().orElse(null);
    Instant newest = objects.stream().map(S3Object::lastModified).max(Comparator.naturalOrder()).orElseThrow();
    long size = objects.stream().mapToLong(S3Object::size).sum();
    String id = directory.substring(pgdrRoot.length(), directory.length() - 1);
    return new BackupCandidate(manifest != null ? manifestKey : directory, BackupEntry.PGDR, startOf(id),
        manifest != null ? manifest.lastModified() : newest, size, manifest != null);
  }

  private static Instant startOf(String id) {
    try {
      return LocalDateTime.parse(id, ID).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException notATimestamp) {
      return null;
    }
  }

  /** What the listing alone says: enough for an incomplete backup, or one left unchecked. */
  BackupEntry entry(boolean valid, String reason) {
    return new BackupEntry(key, format, startTime, listedTime, sizeBytes, null, valid, reason);
  }
}
