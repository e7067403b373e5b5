package io.pgdr.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog over pgdr backups in a real S3-compatible server: the newest complete one is chosen,
 * and incomplete or damaged ones are listed with their reason, never skipped silently. The objects
 * are small stand-ins: the catalog checks presence and sizes, not content.
 */
@org.junit.jupiter.api.Tag("real-servers")
class CatalogPgdrBackupsTest {

  @TempDir static Path dir;
  static S3Fixture s3;
  static BackupCatalogReader catalog;
  /** The activities the worker registers, over the same catalog. */
  static BackupActivitiesImpl activities;

  @BeforeAll
  static void startStore() {
    s3 = S3Fixture.start(dir.resolve("s3"));
    catalog = new BackupCatalogReader(s3.clients(), ClientPrograms.locate(), progress -> { });
    activities = new BackupActivitiesImpl(CredentialResolver.fromEnvironment(name -> null), s3.clients());
  }

  @AfterAll
  static void stopStore() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void newestCompleteBackupIsChosenAndOlderOnesAreNotChecked() {
    BackupLocation location = s3.freshLocation();
    writeBackup(location, "20261120T010000Z");
    writeBackup(location, "20261121T010000Z");

    BackupCatalog found = activities.listBackups(location);

    assertEquals(List.of(manifestKey(location, "20261121T010000Z"), manifestKey(location, "20261120T010000Z")), keys(found));
    BackupEntry newest = found.latestValid().orElseThrow();
    assertEquals(manifestKey(location, "20261121T010000Z"), newest.key());
    assertEquals(BackupEntry.PGDR, newest.format());
    assertEquals(Instant.parse("2026-11-21T01:00:00Z"), newest.startTime());
    assertEquals(Instant.parse("2026-11-21T01:00:40Z"), newest.endTime(), "the manifest's end time");
    assertEquals("15.14", newest.serverVersion());
    assertTrue(newest.reason().startsWith("complete: all 3 objects"), newest.reason());
    BackupEntry older = found.entries().get(1);
    assertFalse(older.valid());
    assertTrue(older.reason().startsWith("not checked: "), older.reason());
    assertEquals(Instant.parse("2026-11-20T01:00:00Z"), older.startTime(), "from the backup's id");
  }

  @Test
  void directoryWithoutManifestIsIncompleteAndThePreviousBackupIsUsed() {
    BackupLocation location = s3.freshLocation();
    writeBackup(location, "20261120T010000Z");
    String interrupted = BackupManifest.directoryKey(location.prefix(), "20261121T010000Z");
    s3.put(interrupted + "pre-data.dump", "schema");
    s3.put(interrupted + "data/public.stories.0.copy.gz", "rows");

    BackupCatalog found = catalog.list(location);

    assertEquals(List.of(interrupted, manifestKey(location, "20261120T010000Z")), keys(found));
    BackupEntry incomplete = found.entries().get(0);
    assertFalse(incomplete.valid());
    assertEquals("incomplete: no manifest (backup interrupted?)", incomplete.reason());
    assertEquals(10, incomplete.sizeBytes());
    assertEquals(manifestKey(location, "20261120T010000Z"), found.latestValid().orElseThrow().key());
  }

  @Test
  void missingObjectMakesABackupDamagedAndThePreviousOneIsUsed() {
    BackupLocation location = s3.freshLocation();
    writeBackup(location, "20261120T010000Z");
    writeBackup(location, "20261121T010000Z");
    s3.client().deleteObject(b -> b.bucket(S3Fixture.BUCKET)
        .key(BackupManifest.directoryKey(location.prefix(), "20261121T010000Z") + "data/public.stories.0.copy.gz"));

    BackupCatalog found = catalog.list(location);

    BackupEntry damaged = found.entries().get(0);
    assertEquals(manifestKey(location, "20261121T010000Z"), damaged.key());
    assertFalse(damaged.valid());
    assertEquals("damaged: data/public.stories.0.copy.gz is missing", damaged.reason());
    BackupEntry previous = found.latestValid().orElseThrow();
    assertEquals(manifestKey(location, "20261120T010000Z"), previous.key());
    assertEquals(1, found.entries().indexOf(previous), "the previous backup was checked, not skipped");
  }

  @Test
  void truncatedObjectMakesABackupDamaged() {
    BackupLocation location = s3.freshLocation();
    writeBackup(location, "20261120T010000Z");
    writeBackup(location, "20261121T010000Z");
    String part = BackupManifest.directoryKey(location.prefix(), "20261121T010000Z") + "data/public.stories.0.copy.gz";
    s3.put(part, Arrays.copyOf(content("data/public.stories.0.copy.gz"), 7));

    BackupCatalog found = catalog.list(location);

    BackupEntry damaged = found.entries().get(0);
    assertFalse(damaged.valid());
    assertEquals("damaged: data/public.stories.0.copy.gz is 7 bytes, the manifest says "
        + content("data/public.stories.0.copy.gz").length, damaged.reason());
    assertEquals(manifestKey(location, "20261120T010000Z"), found.latestValid().orElseThrow().key());
  }

  @Test
  void unreadableManifestIsListedWithItsReason() {
    BackupLocation location = s3.freshLocation();
    s3.put(manifestKey(location, "20261121T010000Z"), "{ not json");

    BackupEntry entry = catalog.list(location).entries().get(0);

    assertFalse(entry.valid());
    assertTrue(entry.reason().startsWith("manifest.json is unreadable: not a pgdr manifest"), entry.reason());
  }

  @Test
  void namedBackupIsCheckedByManifestKeyDirectoryOrId() {
    BackupLocation location = s3.freshLocation();
    writeBackup(location, "20261120T010000Z");
    writeBackup(location, "20261121T010000Z");
    String older = manifestKey(location, "20261120T010000Z");

    for (String name : List.of(older, "s3://" + S3Fixture.BUCKET + "/" + older, "pgdr/20261120T010000Z/manifest.json",
        BackupManifest.directoryKey(location.prefix(), "20261120T010000Z"), "20261120T010000Z")) {
      BackupEntry entry = activities.checkBackup(location, name);
      assertEquals(older, entry.key(), name);
      assertTrue(entry.valid(), name + ": " + entry.reason());
    }
  }

  @Test
  void namedBackupThatDoesNotExistNamesTheBackupsNearby() {
    BackupLocation location = s3.freshLocation();
    writeBackup(location, "20261120T010000Z");
    writeBackup(location, "20261121T010000Z");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> catalog.check(location, "20261122T010000Z"));

    assertEquals(FailureTypes.BACKUP_NOT_FOUND, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().startsWith("no backup 20261122T010000Z under " + location.url()), failure.getOriginalMessage());
    assertTrue(failure.getOriginalMessage().contains(manifestKey(location, "20261121T010000Z")), failure.getOriginalMessage());
  }

  @Test
  void missingBucketSaysSo() {
    BackupLocation location = s3.location("no-such-bucket", "db/");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> catalog.list(location));

    assertEquals(FailureTypes.LOCATION_MISSING, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertEquals("bucket no-such-bucket does not exist at " + s3.store().endpoint() + ": check backups.bucket",
        failure.getOriginalMessage());
  }

  @Test
  void emptyPrefixSaysSo() {
    BackupLocation location = s3.freshLocation();
    s3.put("elsewhere/latest.dump", "not under the prefix");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> catalog.check(location, "latest.dump"));

    assertEquals(FailureTypes.LOCATION_MISSING, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertEquals("no objects under " + location.url() + " at " + s3.store().endpoint() + ": check backups.prefix",
        failure.getOriginalMessage());
  }

  @Test
  void unreachableStoreIsRetryable() throws Exception {
    int closedPort;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    BackupLocation location = new BackupLocation(S3Fixture.BUCKET, "db/", "http://127.0.0.1:" + closedPort, null, null, null, null);

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> catalog.list(location));

    assertEquals(FailureTypes.STORE_UNREACHABLE, failure.getType());
    assertFalse(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().startsWith("listing " + location.url() + ": cannot reach http://127.0.0.1:" + closedPort),
        failure.getOriginalMessage());
  }

  // --- fixtures: a pgdr backup's objects and manifest, written as BackupTaker lays them out

  private static final Map<String, String> KINDS = new LinkedHashMap<>(Map.of(
      "pre-data.dump", BackupManifest.BackupObject.PRE_DATA,
      "data/public.stories.0.copy.gz", BackupManifest.BackupObject.DATA,
      "post-data.dump", BackupManifest.BackupObject.POST_DATA));

  private static void writeBackup(BackupLocation location, String id) {
    String directory = BackupManifest.directoryKey(location.prefix(), id);
    List<BackupManifest.BackupObject> objects = KINDS.entrySet().stream().map(kind -> {
      byte[] bytes = content(kind.getKey());
      s3.put(directory + kind.getKey(), bytes);
      boolean data = kind.getValue().equals(BackupManifest.BackupObject.DATA);
      return new BackupManifest.BackupObject(kind.getKey(), kind.getValue(), data ? "public.stories" : null, data ? 0 : null,
          data ? 0L : null, null, data ? 3L : null, bytes.length, sha256(bytes));
    }).toList();
    Instant start = Instant.parse(id.replaceAll("(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z", "$1-$2-$3T$4:$5:$6Z"));
    long size = objects.stream().mapToLong(BackupManifest.BackupObject::sizeBytes).sum();
    BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, id, "fabrica_db", "15.14", start,
        start.plusSeconds(40), "gzip", size, objects, Map.of("public.stories", 3L));
    s3.put(directory + BackupManifest.FILE_NAME, manifest.toJson());
  }

  private static byte[] content(String name) {
    return ("stand-in for " + name).getBytes(StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String manifestKey(BackupLocation location, String id) {
    return BackupManifest.manifestKey(location.prefix(), id);
  }

  private static List<String> keys(BackupCatalog catalog) {
    return catalog.entries().stream().map(BackupEntry::key).toList();
  }
}
