package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * `pgdr backup window` and `pgdr backup list` in process against the lab's S3 store holding a
 * synthetic runbook-000 D archive after one PITR (timeline 2 off 1 in segment 9, segment 11 of
 * timeline 1 deleted): the window per timeline, a target served, one refused naming the window,
 * and the list showing the base backup and one WAL summary line, no segment as a dump.
 */
@Tag("real-servers")
class BackupWindowOnTheStoreTest {

  static final String BUCKET = "fabrica-agentes-backups";

  @TempDir static Path dir;
  static S3Store store;
  static Path target;

  @BeforeAll
  static void start() throws Exception {
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    store = S3Store.start(dir.resolve("s3"));
    store.createBucket(BUCKET);
    try (S3Client s3 = S3Client.builder().region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create())
        .endpointOverride(URI.create(store.endpoint())).forcePathStyle(true).build()) {
      for (int n = 1; n <= 12; n++) {
        if (n != 11) {
          put(s3, String.format("db/wal/0000000100000000%08X", n), new byte[2048]);
        }
      }
      put(s3, "db/wal/000000020000000000000009.gz", new byte[512]);
      put(s3, "db/wal/00000002000000000000000A.gz", new byte[512]);
      put(s3, "db/wal/000000010000000000000009.partial", new byte[2048]);
      put(s3, "db/wal/00000002.history", "1\t0/9000060\tbefore 2025-01-10 02:08:30+00\n".getBytes(StandardCharsets.UTF_8));
      put(s3, "db/wal/000000010000000000000002.00000028.backup", String.join("\n",
          "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)", "STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)",
          "START TIME: 2025-01-10 02:00:00 UTC", "LABEL: pg_basebackup base backup", "START TIMELINE: 1",
          "STOP TIME: 2025-01-10 02:00:03 UTC", "STOP TIMELINE: 1", "").getBytes(StandardCharsets.UTF_8));
      put(s3, "db/base/20250110T020000/base.tar.gz", new byte[4096]);
      put(s3, "db/base/20250110T020000/backup_manifest", ("{\"WAL-Ranges\": [{\"Timeline\": 1, \"Start-LSN\": \"0/2000028\","
          + " \"End-LSN\": \"0/2000100\"}]}").getBytes(StandardCharsets.UTF_8));
    }
    target = dir.resolve("target.yaml");
    Files.writeString(target, CliBadInputTest.VALID + "backups: {bucket: " + BUCKET + ", prefix: db/, endpoint: \"" + store.endpoint() + "\"}\n");
  }

  private static void put(S3Client s3, String key, byte[] content) {
    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void windowShowsEachTimelineAndServesOrRefusesATarget() throws Exception {
    CliRun table = CliRun.of("backup", "window", "--target", target.toString());
    assertEquals(ExitCodes.OK, table.exitCode(), table.toString());
    assertTrue(table.out().contains("  gap: 00000001000000000000000B (1 segment missing)"), table.out());
    assertTrue(table.out().contains("  switch: timeline 2 branched off at 0/9000060"), table.out());
    assertTrue(table.out().contains("  base backup 20250110T020000: start 0/2000028 (2025-01-10T02:00:00Z), stop 0/2000100 (2025-01-10T02:00:03Z)"),
        table.out());
    assertTrue(table.out().contains("timeline 2 (branched from timeline 1 at 0/9000060"), table.out());

    CliRun served = CliRun.of("backup", "window", "--target", target.toString(), "--target-lsn", "0/A000010", "--target-timeline", "2",
        "--output", "json");
    assertEquals(ExitCodes.OK, served.exitCode(), served.toString());
    JsonNode json = Json.MAPPER.readTree(served.out());
    assertEquals(2, json.path("timelines").size());
    assertEquals(2, json.path("served").path("timeline").asInt());
    assertEquals("00000002000000000000000A.gz", json.path("served").path("segments").get(8).asText(), "the objects recovery fetches, as stored");

    CliRun refused = CliRun.of("backup", "window", "--target", target.toString(), "--target-lsn", "0/C000000", "--target-timeline", "1");
    assertEquals(ExitCodes.BAD_INPUT, refused.exitCode(), refused.toString());
    assertTrue(refused.out().contains("target refused: location 0/C000000 on timeline 1 lies in a gap of the WAL archive"), refused.out());
    assertTrue(refused.out().contains("the recoverable window: timeline 1 from 0/2000100"), refused.out());
  }

  @Test
  void listShowsTheBaseBackupAndOneLineForTheWalArchive() {
    CliRun list = CliRun.of("backup", "list", "--target", target.toString());
    assertEquals(ExitCodes.RUN_FAILED, list.exitCode(), "no dump to restore: " + list);
    assertTrue(list.out().startsWith("backups under s3://" + BUCKET + "/db/\n  (none)\n"), list.out());
    assertTrue(list.out().contains("base backups under s3://" + BUCKET + "/db/base/\n  20250110T020000"), list.out());
    assertTrue(list.out().contains("wal archive under s3://" + BUCKET + "/db/wal/: 13 segments on timelines 1, 2, "
        + "000000010000000000000001 .. 00000002000000000000000A"), list.out());
    assertFalse(list.out().contains("000000010000000000000005"), list.out());
  }
}
