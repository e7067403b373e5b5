package io.pgdr.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backups and RestoreFromBackup with the worker and the CLI as separate processes, against the
 * lab's real PostgreSQL and S3 server: the round trip, a damaged backup passed over, and a worker
 * killed in the middle of a restore.
 */
@org.junit.jupiter.api.Tag("real-servers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreEndToEndIT {

  private static final String BUCKET = "fabrica-agentes-backups";

  @TempDir static Path logs;
  private static LabProcesses processes;
  private static Lab lab;
  private static LabStatus status;
  private static Map<String, String> env;
  private static LabData data;

  /** One lab for the three: each takes its own backups and restores the latest; the broken primary comes last. */
  @BeforeAll
  static void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    processes = LabProcesses.up(logs);
    lab = processes.lab;
    status = processes.status;
    env = processes.env;
    data = new LabData(processes);
  }

  @AfterAll
  static void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  @Test
  @Order(1)
  void restoreBringsBackTheLatestValidBackupPassesOverADamagedOneAndKeepsTheOldDatabase() throws Exception {
    sql("INSERT INTO stories (title) SELECT 'story ' || g FROM generate_series(1, 5000) g");
    sql("CREATE TABLE \"Chapters\" (id int PRIMARY KEY, story_id bigint REFERENCES stories(id), body text)");
    sql("INSERT INTO \"Chapters\" SELECT g, g, repeat('x', g % 100) FROM generate_series(1, 3000) g");
    String good = backupRun();
    String atGoodBackup = fingerprint();

    sql("INSERT INTO stories (title) SELECT 'late ' || g FROM generate_series(1, 100) g");
    String damaged = backupRun();
    assertNotEquals(good, damaged);
    truncateOneDataObject(damaged);

    CliRun list = PgdrProcess.run(logs, env, Duration.ofMinutes(2), "backup", "list", "--target", target(), "--output", "json");
    assertEquals(0, list.exitCode(), list.toString());
    JsonNode entries = Json.MAPPER.readTree(list.out()).path("entries");
    assertEquals(damaged, entries.get(0).path("key").asText());
    assertEquals(false, entries.get(0).path("valid").asBoolean(), entries.toString());
    assertEquals(good, entries.get(1).path("key").asText());
    assertEquals(true, entries.get(1).path("valid").asBoolean(), entries.toString());

    // the corruption: rows damaged and lost in the live database
    sql("UPDATE stories SET title = 'garbage' WHERE id % 3 = 0");
    sql("DELETE FROM \"Chapters\" WHERE id > 1000");
    String corrupted = fingerprint();

    CliRun run = PgdrProcess.run(logs, env, Duration.ofMinutes(5),
        "restore", "--target", target(), "--yes", "--follow", "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    assertEquals(good, report.path("result").path("backupKey").asText(), "the damaged newer backup was passed over");
    assertTrue(report.toString().contains("skipped " + damaged), "the report names the damaged backup and why");
    assertEquals(atGoodBackup, fingerprint(), "the live database holds exactly the backup's data");
    String kept = report.path("result").path("previousKeptAs").asText();
    assertTrue(kept.startsWith("fabrica_db_before_"), kept);
    assertEquals(corrupted, fingerprint(kept), "the replaced database is kept, as it was");
    try (KubernetesClient kubernetes = lab.kubernetesClient()) {
      assertEquals(3, kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName("fabrica-api").get().getSpec().getReplicas());
      assertEquals(2, kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName("fabrica-workers").get().getSpec().getReplicas());
    }
  }

  @Test
  @Order(2)
  void aWorkerKilledMidRestoreIsReplacedAndTheRestoreResumesFromItsCheckpoint() throws Exception {
    for (int t = 1; t <= 24; t++) {
      sql(String.format("CREATE TABLE load_%02d AS SELECT g AS id, md5(g::text) || repeat('y', 60) AS body FROM generate_series(1, 20000) g", t));
    }
    backupRun();
    String atBackup = fingerprint();
    sql("DROP TABLE load_07");

    PgdrProcess cli = PgdrProcess.start(logs, env, "restore", "--target", target(), "--yes", "--follow", "--output", "json");
    // kill the worker once a few parts are committed in the database being restored, well before the end
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(() -> partsCheckpointed() >= 3);
    int doneAtKill = partsCheckpointed();
    processes.killWorker();
    processes.startWorker();

    CliRun run = cli.await(Duration.ofMinutes(5));
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode restore = Json.MAPPER.readTree(run.out()).path("result");
    int already = restore.path("partsAlreadyDone").asInt();
    assertTrue(already >= doneAtKill, "parts committed before the kill were not restored again: " + restore);
    assertEquals(restore.path("partsTotal").asInt(), already + restore.path("partsRestored").asInt(),
        "every part restored exactly once across the two attempts: " + restore);
    assertEquals(atBackup, fingerprint(), "the restore is complete");
  }

  @Test
  @Order(3)
  void aBrokenPrimaryIsRecreatedOnANewVolumeItsOldVolumeKeptAndTheBackupRestoredIntoIt() throws Exception {
    sql("INSERT INTO stories (title) SELECT 'story ' || g FROM generate_series(1, 2000) g");
    backupRun();
    String atBackup = fingerprint();
    // the disk breaks: the server dies and its data directory can no longer start one
    Path dataDir = primary().dataDir();
    primary().stopImmediate();
    java.nio.file.Files.delete(dataDir.resolve("global").resolve("pg_control"));

    CliRun run = PgdrProcess.run(logs, env, Duration.ofMinutes(5),
        "restore", "--target", target(), "--yes", "--follow", "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode restore = report.path("result");
    assertEquals("postgresql-0", restore.path("rebuiltPod").asText(), restore.toString());
    String oldVolume = restore.path("keptVolumes").get(0).path("volume").asText();
    assertEquals(atBackup, fingerprint(), "the recreated primary holds exactly the backup's data");
    try (KubernetesClient kubernetes = lab.kubernetesClient()) {
      var volume = kubernetes.persistentVolumes().withName(oldVolume).get();
      assertEquals("Retain", volume.getSpec().getPersistentVolumeReclaimPolicy());
      assertEquals("Released", volume.getStatus().getPhase(), "let go by its claim, not deleted");
      Path kept = Path.of(volume.getSpec().getHostPath().getPath());
      assertTrue(java.nio.file.Files.isDirectory(kept.resolve("base")), "the old volume still holds its data: " + kept);
      assertTrue(java.nio.file.Files.exists(kept.resolve("PG_VERSION")), kept.toString());
      String newVolume = kubernetes.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName("data-postgresql-0").get()
          .getSpec().getVolumeName();
      assertNotEquals(oldVolume, newVolume, "the pod runs on a new volume");
      assertEquals(3, kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName("fabrica-api").get().getSpec().getReplicas());
    }
  }

  private String target() {
    return status.targetFile().toString();
  }

  private String backupRun() throws Exception {
    return data.backupRun();
  }

  /** Overwrites the biggest data object of a backup with its first half, as an interrupted copy would. */
  private void truncateOneDataObject(String manifestKey) {
    String dir = manifestKey.substring(0, manifestKey.lastIndexOf('/') + 1);
    try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(status.s3Endpoint())).forcePathStyle(true)
        .region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
      S3Object biggest = s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(dir + "data/")).contents().stream()
          .max((a, b) -> Long.compare(a.size(), b.size())).orElseThrow();
      byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(biggest.key())).asByteArray();
      s3.putObject(b -> b.bucket(BUCKET).key(biggest.key()), RequestBody.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length / 2)));
    }
  }

  private int partsCheckpointed() {
    try (Connection c = primary().connect("postgres"); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'fabrica_db_restore_%'")) {
      if (!rs.next()) {
        return 0;
      }
      try (Connection restoring = primary().connect(rs.getString(1)); Statement q = restoring.createStatement();
           ResultSet parts = q.executeQuery("SELECT count(*) FROM pgdr_restore.parts")) {
        parts.next();
        return parts.getInt(1);
      }
    } catch (SQLException notYet) {
      return 0;
    }
  }

  private PostgresNode primary() {
    return data.primary();
  }

  private void sql(String statement) throws SQLException {
    data.sql(statement);
  }

  private String fingerprint() throws SQLException {
    return data.fingerprint();
  }

  private String fingerprint(String database) throws SQLException {
    return data.fingerprint(database);
  }
}
