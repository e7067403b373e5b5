package io.pgdr.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.BackupManifest.BackupObject;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.restore.RestoreLab;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backup of a real database into a real S3-compatible store, read back object by object: the
 * manifest says what is there, and what is there is what it says.
 */
@ExtendWith(RestoreLab.Shared.class)
@org.junit.jupiter.api.Tag("real-servers")
class BackupTakerTest {

  @Test
  void everyObjectIsStoredWithTheSizeAndSha256TheManifestRecords(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    List<TransferProgress> progress = new ArrayList<>();

    BackupEntry entry = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T220500Z", progress::add);

    assertEquals(location.prefix() + "pgdr/20261122T220500Z/manifest.json", entry.key());
    assertEquals(BackupEntry.PGDR, entry.format());
    assertTrue(entry.valid());
    BackupManifest manifest = manifest(lab, entry.key());
    assertEquals(BackupManifest.FORMAT, manifest.format());
    assertEquals(RestoreLab.SHOP, manifest.database());
    assertTrue(manifest.serverVersion().matches("\\d+\\.\\d+"), manifest.serverVersion());
    assertFalse(manifest.endTime().isBefore(manifest.startTime()));
    assertEquals(BackupObject.PRE_DATA, manifest.objects().get(0).kind());
    assertEquals(BackupObject.POST_DATA, manifest.objects().get(manifest.objects().size() - 1).kind());
    long total = 0;
    for (BackupObject object : manifest.objects()) {
      byte[] stored = bytes(lab, BackupManifest.objectKey(entry.key(), object));
      assertEquals(object.sizeBytes(), stored.length, object.key());
      assertEquals(object.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)), object.key());
      total += stored.length;
    }
    assertEquals(total, manifest.sizeBytes());
    assertEquals(total, entry.sizeBytes());
    TransferProgress last = progress.get(progress.size() - 1);
    assertEquals(last.partsTotal(), last.partsDone(), "the last progress report counts every part done");
  }

  @Test
  void rowCountsAreTheSnapshotsAndBigTablesAreSplitIntoBlockRanges(RestoreLab lab) throws Exception {
    BackupEntry entry = lab.taker().take(lab.freshLocation(), lab.server(RestoreLab.SHOP), "20261122T220600Z", p -> { });
    BackupManifest manifest = manifest(lab, entry.key());

    assertEquals(Map.of("public.authors", 200L, "public.books", 3000L, "public.Ledger", 2000L, "public.events_low", 500L,
        "public.events_high", 500L, "public.audit", 100L, "public.audit_2026", 300L, "public.empty_table", 0L,
        "public.event_notes", 300L, "public.acl_history", 50L), manifest.tables());
    List<BackupObject> books = manifest.objects().stream().filter(o -> "public.books".equals(o.table())).toList();
    assertTrue(books.size() > 3, "4-block parts split books into several: " + books.size());
    for (int i = 0; i < books.size(); i++) {
      BackupObject part = books.get(i);
      assertEquals(i, part.part());
      assertEquals("data/public.books." + i + ".copy.gz", part.key());
      assertEquals(i * 4L, part.fromBlock());
      assertEquals(i == books.size() - 1 ? null : (i + 1) * 4L, part.toBlock());
    }
    assertEquals(3000L, books.stream().mapToLong(BackupObject::rows).sum());
    BackupObject ledger = manifest.objects().stream().filter(o -> "public.Ledger".equals(o.table())).findFirst().orElseThrow();
    assertEquals("data/public.Ledger.0.copy.gz", ledger.key());
    byte[] copy = new GZIPInputStream(new ByteArrayInputStream(bytes(lab, BackupManifest.objectKey(entry.key(), ledger))))
        .readAllBytes();
    assertTrue(new String(Arrays.copyOf(copy, 11), StandardCharsets.ISO_8859_1).startsWith("PGCOPY\n\377\r\n"),
        "a part is binary COPY, gzipped");
    BackupObject acl = manifest.objects().stream().filter(o -> "public.acl_history".equals(o.table())).findFirst().orElseThrow();
    String text = new String(new GZIPInputStream(new ByteArrayInputStream(bytes(lab, BackupManifest.objectKey(entry.key(), acl))))
        .readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(text.startsWith("{postgres=r"), "aclitem has no binary I/O: text COPY, columns in name order: " + text.lines().findFirst());
  }

  @Test
  void aRestoresCheckpointSchemaIsNeverBackedUp(RestoreLab lab) throws Exception {
    String database = lab.unique("with_checkpoint");
    try (Connection postgres = lab.connect("postgres"); Statement statement = postgres.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    try (Connection session = lab.connect(database); Statement statement = session.createStatement()) {
      statement.execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1);"
          + " CREATE SCHEMA pgdr_restore; CREATE TABLE pgdr_restore.parts (key text PRIMARY KEY); INSERT INTO pgdr_restore.parts VALUES ('x')");
    }

    BackupEntry entry = lab.taker().take(lab.freshLocation(), lab.server(database), "20261122T220700Z", p -> { });

    BackupManifest manifest = manifest(lab, entry.key());
    assertEquals(Map.of("public.kept", 1L), manifest.tables());
    assertTrue(manifest.objects().stream().noneMatch(o -> o.key().contains("pgdr_restore")));
  }

  @Test
  void aRetryOfAFinishedBackupReturnsItUnchanged(RestoreLab lab) {
    BackupLocation location = lab.freshLocation();
    BackupEntry first = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T220800Z", p -> { });

    BackupEntry again = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T220800Z", p -> { });

    assertEquals(first.key(), again.key());
    assertEquals(first.endTime(), again.endTime(), "the stored manifest, not a second backup");
    assertEquals(first.sizeBytes(), again.sizeBytes());
  }

  @Test
  void aRefusedPasswordIsNotRetryable(RestoreLab lab) {
    PostgresServer shop = lab.server(RestoreLab.SHOP);
    PostgresServer wrong = new PostgresServer(shop.pod(), shop.host(), shop.port(), shop.database(), shop.namespace(),
        SecretRef.environment(lab.pair().superuser(), "PGDR_WRONG_PASSWORD"));
    BackupTaker taker = new BackupTaker(CredentialResolver.fromEnvironment(Map.of("PGDR_WRONG_PASSWORD", "not-the-password")::get),
        lab.s3().clients(), ClientPrograms.locate());

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> taker.take(lab.freshLocation(), wrong, "20261122T220900Z", p -> { }));

    assertEquals(FailureTypes.CREDENTIALS_REFUSED, failure.getType());
    assertTrue(failure.isNonRetryable());
  }

  private static BackupManifest manifest(RestoreLab lab, String key) {
    return BackupManifest.fromJson(bytes(lab, key));
  }

  private static byte[] bytes(RestoreLab lab, String key) {
    byte[] stored = lab.s3().client().getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(key)).asByteArray();
    assertNotNull(stored);
    return stored;
  }
}
