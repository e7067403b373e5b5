package io.pgdr.activities.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.BaseBackupManifest;
import io.pgdr.activities.backupformat.BaseBackupManifest.BaseObject;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.restore.RestoreLab;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.ports.BaseBackupResult;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A base backup of a real cluster streamed into a real S3-compatible store, read back: every object
 * {@code pgdr-base.json} names is there with its size and SHA-256, and the tar is a base backup
 * PostgreSQL's own {@code pg_verifybackup} accepts, WAL included.
 */
@ExtendWith(RestoreLab.Shared.class)
@Tag("real-servers")
class BaseBackupTakerTest {

  @Test
  void theObjectsLandWithTheChecksumsThePgdrManifestRecordsAndTheTarVerifies(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    List<TransferProgress> progress = new ArrayList<>();

    BaseBackupResult taken = taker(lab).take(location, lab.server(RestoreLab.SHOP), "20261207T023000Z", progress::add);

    String directory = location.prefix() + "base/20261207T023000Z/";
    assertEquals(directory + "pgdr-base.json", taken.key());
    BaseBackupManifest manifest = BaseBackupManifest.fromJson(bytes(lab, taken.key()));
    assertEquals(BaseBackupManifest.FORMAT, manifest.format());
    assertEquals("20261207T023000Z", manifest.label());
    assertEquals(1, manifest.timeline());
    assertTrue(manifest.serverVersion().matches("\\d+\\.\\d+"), manifest.serverVersion());
    assertTrue(lsn(manifest.startLsn()) < lsn(manifest.stopLsn()), manifest.startLsn() + " .. " + manifest.stopLsn());
    assertFalse(manifest.stopTime().isBefore(manifest.startTime()));
    assertEquals(List.of("base.tar.gz", "backup_manifest"), manifest.objects().stream().map(BaseObject::key).toList());
    long total = 0;
    for (BaseObject object : manifest.objects()) {
      byte[] stored = bytes(lab, directory + object.key());
      assertEquals(object.sizeBytes(), stored.length, object.key());
      assertEquals(object.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)), object.key());
      total += stored.length;
    }
    assertEquals(total, manifest.sizeBytes());
    assertEquals(taken.sizeBytes(), manifest.sizeBytes());
    assertEquals(manifest.startLsn(), taken.startLsn());
    assertEquals(manifest.stopLsn(), taken.stopLsn());

    Path dir = Files.createTempDirectory(lab.dir(), "base-");
    Path tar = dir.resolve("base.tar.gz");
    Files.write(tar, bytes(lab, directory + "base.tar.gz"));
    List<String> members = run(dir, "tar", "-tzf", tar.toString()).lines().toList();
    assertTrue(members.containsAll(List.of("backup_label", "backup_manifest", "PG_VERSION", "global/pg_control")), members.toString());
    assertTrue(members.stream().anyMatch(m -> m.matches("pg_wal/[0-9A-F]{24}")), "-X fetch: the WAL is inside: " + members);
    Path data = Files.createDirectory(dir.resolve("data"));
    run(dir, "tar", "-xzf", tar.toString(), "-C", data.toString());
    String backupLabel = Files.readString(data.resolve("backup_label"));
    assertTrue(backupLabel.contains("START WAL LOCATION: " + manifest.startLsn()), backupLabel);
    assertTrue(backupLabel.contains("LABEL: pgdr 20261207T023000Z"), backupLabel);
    assertArrayEquals(Files.readAllBytes(data.resolve("backup_manifest")), bytes(lab, directory + "backup_manifest"),
        "the stored backup_manifest is the one in the tar");
    String verified = run(dir, ClientPrograms.locate().program("pg_verifybackup"), data.toString());
    assertTrue(verified.contains("successfully verified"), verified);

    TransferProgress last = progress.get(progress.size() - 1);
    assertEquals(1, last.partsDone());
    assertEquals(manifest.tarBytes(), last.bytesDone());
  }

  @Test
  void aRetryOfAFinishedBaseBackupReturnsItUnchanged(RestoreLab lab) {
    BackupLocation location = lab.freshLocation();
    BaseBackupResult first = taker(lab).take(location, lab.server(RestoreLab.SHOP), "20261207T023100Z", p -> { });

    BaseBackupResult again = taker(lab).take(location, lab.server(RestoreLab.SHOP), "20261207T023100Z", p -> { });

    assertEquals(first.stopLsn(), again.stopLsn(), "the stored pgdr-base.json, not a second base backup");
    assertEquals(first.stopTime(), again.stopTime());
    assertTrue(again.summary().startsWith("already taken"), again.summary());
  }

  @Test
  void aClusterWithATablespaceOfItsOwnIsRefusedBeforeAnythingIsStored(RestoreLab lab) throws Exception {
    String tablespace = lab.unique("elsewhere");
    try (Connection postgres = lab.connect("postgres"); Statement statement = postgres.createStatement()) {
      // in place (under pg_tblspc): the standby on this machine replays it into its own data directory
      statement.execute("SET allow_in_place_tablespaces = on");
      statement.execute("CREATE TABLESPACE " + tablespace + " LOCATION ''");
    }
    try {
      BackupLocation location = lab.freshLocation();

      ApplicationFailure failure = assertThrows(ApplicationFailure.class,
          () -> taker(lab).take(location, lab.server(RestoreLab.SHOP), "20261207T023200Z", p -> { }));

      assertEquals(FailureTypes.BACKUP_FAILED, failure.getType());
      assertTrue(failure.isNonRetryable());
      assertTrue(failure.getOriginalMessage().contains("1 tablespace(s) of its own"), failure.getOriginalMessage());
      assertEquals(0, lab.s3().client().listObjectsV2(b -> b.bucket(S3Fixture.BUCKET).prefix(location.prefix())).keyCount());
    } finally {
      try (Connection postgres = lab.connect("postgres"); Statement statement = postgres.createStatement()) {
        statement.execute("DROP TABLESPACE " + tablespace);
      }
    }
  }

  @Test
  void aLabelThatIsNoPlainKeySegmentIsRefused(RestoreLab lab) {
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> taker(lab).take(lab.freshLocation(), lab.server(RestoreLab.SHOP), "../x", p -> { }));

    assertEquals(FailureTypes.BACKUP_FAILED, failure.getType());
    assertTrue(failure.isNonRetryable());
  }

  private static BaseBackupTaker taker(RestoreLab lab) {
    return new BaseBackupTaker(lab.credentials(), lab.s3().clients(), ClientPrograms.locate());
  }

  private static long lsn(String lsn) {
    String[] halves = lsn.split("/");
    return (Long.parseLong(halves[0], 16) << 32) + Long.parseLong(halves[1], 16);
  }

  private static byte[] bytes(RestoreLab lab, String key) {
    return lab.s3().client().getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(key)).asByteArray();
  }

  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
    assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + out);
    return out;
  }
}
