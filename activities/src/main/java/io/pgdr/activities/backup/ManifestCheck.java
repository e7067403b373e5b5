package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.activities.store.StoreListing;
import io.pgdr.ports.BackupEntry;
import io.pgdr.target.BackupLocation;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checks a pgdr backup against its manifest and the listing: the manifest parses, has pgdr's
 * format, and every object it lists is stored with exactly the listed size. Downloads only the
 * manifest; SHA-256 is checked while restoring, as each object streams anyway.
 */
final class ManifestCheck {

  /** Enough problems to act on without flooding the catalog. */
  private static final int PROBLEMS_SHOWN = 3;

  private ManifestCheck() {}

  static BackupEntry check(S3Client s3, StoreListing listing, BackupCandidate candidate) {
    BackupLocation location = listing.location();
    byte[] json;
    try {
      json = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(location.bucket()).key(candidate.key()).build()).asByteArray();
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, "reading s3://" + location.bucket() + "/" + candidate.key(), e);
    }
    BackupManifest manifest;
    try {
      manifest = BackupManifest.fromJson(json);
    } catch (IllegalArgumentException e) {
      return candidate.entry(false, "manifest.json is unreadable: " + e.getMessage());
    }
    if (!BackupManifest.FORMAT.equals(manifest.format())) {
      return candidate.entry(false, "manifest format '" + manifest.format() + "' is not " + BackupManifest.FORMAT + ", the one this pgdr reads");
    }
    if (manifest.objects() == null || manifest.objects().isEmpty()) {
      return candidate.entry(false, "manifest lists no objects");
    }
    List<String> problems = new ArrayList<>();
    for (BackupManifest.BackupObject object : manifest.objects()) {
      S3Object stored = listing.objects().get(BackupManifest.objectKey(candidate.key(), object));
      if (stored == null) {
        problems.add(object.key() + " is missing");
      } else if (stored.size() != object.sizeBytes()) {
        problems.add(object.key() + " is " + stored.size() + " bytes, the manifest says " + object.sizeBytes());
      }
    }
    boolean valid = problems.isEmpty();
    String reason = valid
        ? "complete: all " + manifest.objects().size() + " objects of the manifest stored with their sizes (SHA-256 is checked while restoring)"
        : "damaged: " + String.join("; ", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size())))
            + (problems.size() > PROBLEMS_SHOWN ? "; and " + (problems.size() - PROBLEMS_SHOWN) + " more" : "");
    return new BackupEntry(candidate.key(), BackupEntry.PGDR, manifest.startTime(), manifest.endTime(),
        candidate.sizeBytes(), manifest.serverVersion(), valid, reason);
  }
}
