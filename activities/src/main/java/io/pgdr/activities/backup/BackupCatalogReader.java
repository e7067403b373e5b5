package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.PhysicalBackupFiles;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.StoreListing;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backup catalog of a location (what {@code pgdr backup list} shows, as {@code pgbackrest
 * info} does): every backup under the prefix, newest first, each with its check's verdict.
 * Checks run newest first and stop at the first backup that passes, since a restore wants the
 * latest valid one and reading a dump through can take as long as the dump is big; the older
 * ones are listed as not checked. A pgdr directory without a manifest is incomplete whatever its
 * age: the listing alone says so. Read-only.
 */
public final class BackupCatalogReader {

  /** How many existing backups a "not found" message names. */
  private static final int NEARBY = 5;

  private final S3Clients s3;
  private final ClientPrograms programs;
  private final Consumer<TransferProgress> progress;

  /** @param progress receives read-through progress of dump checks (the activity's heartbeat) */
  public BackupCatalogReader(S3Clients s3, ClientPrograms programs, Consumer<TransferProgress> progress) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.programs = Objects.requireNonNull(programs, "programs");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * @throws ApplicationFailure {@link FailureTypes#LOCATION_MISSING} (no bucket, nothing under the
   *     prefix), {@link FailureTypes#STORE_ACCESS_DENIED}; retryable when the store is unreachable
   */
  public BackupCatalog list(BackupLocation location) {
    S3Client client = s3.forLocation(location);
    StoreListing listing = StoreListing.of(client, location);
    List<BackupEntry> entries = new ArrayList<>();
    String newestValid = null;
    for (BackupCandidate candidate : BackupCandidate.from(listing)) {
      if (!candidate.complete()) {
        entries.add(incomplete(candidate));
      } else if (newestValid != null) {
        entries.add(candidate.entry(false, "not checked: " + newestValid + " is newer and valid"));
      } else {
        BackupEntry checked = check(client, listing, candidate);
        entries.add(checked);
        if (checked.valid()) {
          newestValid = checked.key();
        }
      }
    }
    return new BackupCatalog(location.url(), entries);
  }

  /**
   * Checks one backup the operator named: a dump's key, a pgdr backup's manifest key, its directory
   * or its id; absolute or relative to the prefix.
   *
   * @throws ApplicationFailure {@link FailureTypes#BACKUP_NOT_FOUND} naming existing backups near
   *     the key; the failures of {@link #list}
   */
  public BackupEntry check(BackupLocation location, String key) {
    S3Client client = s3.forLocation(location);
    StoreListing listing = StoreListing.of(client, location);
    List<BackupCandidate> candidates = BackupCandidate.from(listing);
    for (BackupCandidate candidate : candidates) {
      if (names(candidate, location, key)) {
        return candidate.complete() ? check(client, listing, candidate) : incomplete(candidate);
      }
    }
    String wanted = absolute(location, key);
    String physical = PhysicalBackupFiles.recognises(wanted.substring(location.prefix().length()))
        ? "; it is a physical backup's file (WAL or base backup), not a dump" : "";
    throw ApplicationFailure.newNonRetryableFailure(
        "no backup " + key + " under " + location.url() + physical + "; backups with nearby keys: "
            + String.join(", ", nearby(candidates, wanted)),
        FailureTypes.BACKUP_NOT_FOUND);
  }

  private BackupEntry check(S3Client client, StoreListing listing, BackupCandidate candidate) {
    return BackupEntry.PGDR.equals(candidate.format())
        ? ManifestCheck.check(client, listing, candidate)
        : new ArchiveCheck(client, programs, progress).check(listing.location(), candidate);
  }

  private static BackupEntry incomplete(BackupCandidate candidate) {
    return candidate.entry(false, "incomplete: no manifest (backup interrupted?)");
  }

  private static boolean names(BackupCandidate candidate, BackupLocation location, String key) {
    String wanted = absolute(location, key);
    if (candidate.key().equals(wanted)) {
      return true;
    }
    if (!BackupEntry.PGDR.equals(candidate.format())) {
      return false;
    }
    String directory = candidate.complete()
        ? candidate.key().substring(0, candidate.key().length() - BackupManifest.FILE_NAME.length())
        : candidate.key();
    String id = directory.substring(location.prefix().length() + BackupManifest.DIRECTORY.length(), directory.length() - 1);
    return directory.equals(wanted) || directory.equals(wanted + "/") || id.equals(key);
  }

  private static String absolute(BackupLocation location, String key) {
    String trimmed = key.startsWith("s3://" + location.bucket() + "/") ? key.substring(("s3://" + location.bucket() + "/").length()) : key;
    return trimmed.startsWith(location.prefix()) ? trimmed : location.prefix() + trimmed;
  }

  /** The backups whose keys sort next to the wanted one: a mistyped timestamp lands among its neighbours. */
  private static List<String> nearby(List<BackupCandidate> candidates, String wanted) {
    List<String> keys = candidates.stream().map(BackupCandidate::key).sorted().toList();
    int at = 0;
    while (at < keys.size() && keys.get(at).compareTo(wanted) < 0) {
      at++;
    }
    int from = Math.max(0, Math.min(at - NEARBY / 2, keys.size() - NEARBY));
    return keys.subList(from, Math.min(keys.size(), from + NEARBY));
  }
}
