package io.pgdr.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.KeysCalled;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog over dumps other tools stored ({@code pg_dump -Fc}, as runbook 004's latest.dump),
 * made by the real pg_dump from a real server and read back through the real pg_restore: a
 * truncated or corrupted dump is listed with pg_restore's reason and the older intact one is used.
 */
@org.junit.jupiter.api.Tag("real-servers")
class CatalogCustomDumpsTest {

  @TempDir static Path dir;
  static S3Fixture s3;
  static PostgresPair pair;
  static byte[] olderDump;
  static byte[] newerDump;
  static BackupCatalogReader catalog;

  @BeforeAll
  static void startServers() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "install PostgreSQL server programs: apt-get install postgresql");
    s3 = S3Fixture.start(dir.resolve("s3"));
    pair = PostgresPair.create(dir.resolve("pair"), progress -> { });
    addRows(40_000);
    olderDump = pgDump();
    addRows(40_000);
    newerDump = pgDump();
    catalog = new BackupCatalogReader(s3.clients(), ClientPrograms.locate(), progress -> { });
  }

  @AfterAll
  static void stopServers() {
    if (pair != null) {
      pair.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void truncatedNewestDumpIsListedWithItsReasonAndTheOlderIntactOneIsUsed() {
    BackupLocation location = s3.freshLocation();
    s3.put(location.prefix() + "2026-11-20.dump", olderDump);
    s3.put(location.prefix() + "2026-11-21.dump", Arrays.copyOf(newerDump, newerDump.length * 6 / 10));

    BackupCatalog found = catalog.list(location);

    BackupEntry truncated = found.entries().get(0);
    assertEquals(location.prefix() + "2026-11-21.dump", truncated.key());
    assertEquals(BackupEntry.CUSTOM, truncated.format());
    assertFalse(truncated.valid());
    assertTrue(truncated.reason().startsWith("damaged: its table of contents reads"), truncated.reason());
    assertTrue(truncated.reason().endsWith("could not read from input file: end of file"), truncated.reason());
    BackupEntry intact = found.latestValid().orElseThrow();
    assertEquals(location.prefix() + "2026-11-20.dump", intact.key());
    assertEquals(olderDump.length, intact.sizeBytes());
  }

  @Test
  void corruptedDataIsCaughtByReadingTheWholeArchive() {
    BackupLocation location = s3.freshLocation();
    byte[] corrupted = newerDump.clone();
    for (int i = corrupted.length / 2; i < corrupted.length / 2 + 512; i++) {
      corrupted[i] ^= 0x55;
    }
    s3.put(location.prefix() + "latest.dump", corrupted);

    BackupEntry entry = catalog.list(location).entries().get(0);

    assertFalse(entry.valid());
    assertTrue(entry.reason().startsWith("damaged: its table of contents reads"), entry.reason());
    // what pg_restore says depends on the damaged bytes (zlib's "could not uncompress data", or a
    // length read from them: "pg_restore exited with 1: out of memory"); that reading the data failed is the point
    assertTrue(entry.reason().contains(" but its data does not: "), entry.reason());
  }

  @Test
  void objectsThatAreNotDumpsAreListedWithTheirReason() {
    BackupLocation location = s3.freshLocation();
    s3.put(location.prefix() + "2026-11-19.dump", olderDump);
    s3.put(location.prefix() + "2026-11-20.sql", "CREATE TABLE stories ();");
    s3.put(location.prefix() + "2026-11-21.dump", new byte[0]);

    BackupCatalog found = catalog.list(location);

    assertEquals("empty object (0 bytes)", found.entries().get(0).reason());
    assertEquals("not a readable pg_dump archive: input file does not appear to be a valid archive (too short?)",
        found.entries().get(1).reason());
    assertEquals(location.prefix() + "2026-11-19.dump", found.latestValid().orElseThrow().key());
  }

  @Test
  void namedIntactDumpIsAcceptedWithWhatItsHeaderSays() {
    BackupLocation location = s3.freshLocation();
    s3.put(location.prefix() + "latest.dump", newerDump);
    Instant stored = s3.client().headObject(b -> b.bucket(S3Fixture.BUCKET).key(location.prefix() + "latest.dump")).lastModified();

    BackupEntry entry = catalog.check(location, "latest.dump");

    assertTrue(entry.valid(), entry.reason());
    assertEquals(location.prefix() + "latest.dump", entry.key());
    assertEquals(newerDump.length, entry.sizeBytes());
    assertTrue(entry.serverVersion().startsWith("15."), entry.serverVersion());
    assertNotNull(entry.startTime(), "pg_dump's archive time");
    assertFalse(entry.startTime().isAfter(stored));
    // HEAD answers in whole seconds (an HTTP date), the listing in milliseconds
    assertEquals(stored, entry.endTime().truncatedTo(ChronoUnit.SECONDS), "the object's last-modified time, an upper bound");
    assertTrue(entry.reason().contains("end time is the object's last-modified time"), entry.reason());
  }

  @Test
  void runbook000LayoutListsOnlyTheDumpsAndReadsNoWalOrBaseBackupObject() {
    BackupLocation location = s3.freshLocation();
    String prefix = location.prefix();
    s3.put(prefix + "2025-01-10.dump", olderDump);
    s3.put(prefix + "latest.dump", newerDump);
    // stored after the dumps, so newer: read as dumps, they would be checked (downloaded) first
    List<String> physical = List.of(
        "base/20250110T020000/base.tar.gz", "base/20250110T020000/backup_label",
        "wal/000000010000000000000001", "wal/00000002.history", "wal/000000010000000000000002.00000028.backup");
    for (String key : physical) {
      s3.put(prefix + key, garbage(key.startsWith("wal/0") ? 2 << 20 : 4096));
    }
    List<String> keysCalled = new CopyOnWriteArrayList<>();
    try (S3Clients observed = new S3Clients("the test", new KeysCalled(keysCalled))) {
      BackupCatalogReader reader = new BackupCatalogReader(observed, ClientPrograms.locate(), progress -> { });

      BackupCatalog found = reader.list(location);

      assertEquals(List.of(prefix + "latest.dump", prefix + "2025-01-10.dump"), found.entries().stream().map(BackupEntry::key).toList());
      assertEquals(prefix + "latest.dump", found.latestValid().orElseThrow().key());
      assertTrue(keysCalled.contains(prefix + "latest.dump"), "the observer sees the dump's check: " + keysCalled);
      for (String key : physical) {
        for (BackupEntry entry : found.entries()) {
          assertFalse(entry.key().contains(key) || entry.reason().contains(key), key + " named by " + entry);
        }
        assertFalse(keysCalled.contains(prefix + key), key + " was read: " + keysCalled);
      }
      ApplicationFailure named = assertThrows(ApplicationFailure.class, () -> reader.check(location, "wal/000000010000000000000001"));
      assertEquals(FailureTypes.BACKUP_NOT_FOUND, named.getType());
      assertTrue(named.getOriginalMessage().contains("a physical backup's file (WAL or base backup), not a dump"), named.getOriginalMessage());
    }
  }

  /** Records the key of every call that names an object (GET, HEAD): what the catalog read. */

  private static byte[] garbage(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static void addRows(int rows) throws Exception {
    try (Connection connection = pair.primary().connect(pair.database()); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO stories (title) SELECT md5(g::text) || ' ' || md5((g * 7)::text) FROM generate_series(1, " + rows + ") g");
    }
  }

  /** The real pg_dump's custom-format output, connected as the lab connects pgdr. */
  private static byte[] pgDump() throws IOException, InterruptedException {
    Path file = Files.createTempFile(dir, "dump", ".dump");
    PostgresServer server = new PostgresServer("postgresql-0", pair.primary().host(), pair.primary().port(), pair.database(),
        "fabrica-agentes", SecretRef.environment(pair.superuser(), "UNUSED"));
    Process dump = ClientPrograms.locate()
        .connected(server, null, new Credentials(pair.superuser(), pair.password()), "pg_dump", List.of("--format=custom"))
        .redirectOutput(file.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    assertEquals(0, dump.waitFor(), "pg_dump failed");
    return Files.readAllBytes(file);
  }
}
