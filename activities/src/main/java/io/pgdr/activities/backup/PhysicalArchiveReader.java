package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.PhysicalArchive;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.activities.store.StoreListing;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The physical archive of a location ({@code base/} and {@code wal/} under its prefix) and what it
 * can recover to: one listing, then the history files, {@code .backup} labels and base-backup
 * descriptions ({@link PhysicalArchive}). Read-only; downloads no segment and no tar.
 */
public final class PhysicalArchiveReader {

  private final S3Clients s3;

  public PhysicalArchiveReader(S3Clients s3) {
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  /**
   * @throws ApplicationFailure {@link FailureTypes#LOCATION_MISSING} when the bucket is missing or
   *     the prefix holds nothing; the other failures of {@link StoreFailures#toFailure}
   */
  public RecoverableWindow read(BackupLocation location) {
    S3Client client = s3.forLocation(location);
    return read(client, StoreListing.of(client, location));
  }

  /** From a listing already made (the catalog's), so {@code backup list} lists once. */
  public static RecoverableWindow read(S3Client client, StoreListing listing) {
    BackupLocation location = listing.location();
    return PhysicalArchive.read(location.prefix(), files(listing), key -> {
      try {
        return client.getObjectAsBytes(b -> b.bucket(location.bucket()).key(key)).asByteArray();
      } catch (SdkException e) {
        throw StoreFailures.toFailure(location, "reading s3://" + location.bucket() + "/" + key, e);
      }
    });
  }

  public static List<PhysicalArchive.StoredFile> files(StoreListing listing) {
    return listing.objects().values().stream()
        .map(o -> new PhysicalArchive.StoredFile(o.key(), o.size(), o.lastModified())).toList();
  }
}
