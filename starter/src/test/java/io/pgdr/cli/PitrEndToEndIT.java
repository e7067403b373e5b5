package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgdr pitr} in the lab, the worker and the CLI as separate processes: the lab archives its
 * WAL, {@code pgdr backup base} takes the base backup, rows are written on both sides of a target
 * time, and the recovery leaves exactly the rows before it, on a new timeline, on a new volume, the
 * old volume kept.
 */
@Tag("real-servers")
class PitrEndToEndIT {

  @TempDir Path logs;
  private LabProcesses processes;
  private LabData data;

  @BeforeEach
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    processes = LabProcesses.up(logs);
    data = new LabData(processes);
  }

  @AfterEach
  void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  @Test
  void pitrToATimeLeavesTheRowsBeforeItOnANewTimelineAndKeepsTheOldVolume() throws Exception {
    data.sql("CREATE TABLE ledger (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    insert(1, 100);
    CliRun base = processes.pgdr(Duration.ofMinutes(3), "backup", "base", "--target", processes.targetFile(), "--output", "json");
    assertEquals(0, base.exitCode(), base.toString());
    insert(101, 200);
    Thread.sleep(1100);
    String target = query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    Thread.sleep(1100);
    insert(201, 300); // the mistake, and the writes after it
    archiveAll();

    CliRun plan = processes.pgdr(Duration.ofMinutes(2), "pitr", "--target", processes.targetFile(), "--target-time", target, "--plan");
    assertEquals(0, plan.exitCode(), plan.toString());
    assertTrue(plan.out().contains("restore-base") && plan.out().contains("keep-volume"), plan.toString());

    CliRun run = processes.pgdr(Duration.ofMinutes(5), "pitr", "--target", processes.targetFile(), "--target-time", target,
        "--yes", "--follow", "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    assertEquals(200, count("SELECT count(*) FROM ledger"), "exactly the rows committed before the target");
    assertEquals(200, count("SELECT max(n) FROM ledger"));
    JsonNode result = report.path("result");
    assertTrue(result.path("reached").path("timeline").asInt() >= 2, result.toString());
    assertEquals(1, result.path("timeline").asInt(), "the target lies on timeline 1");
    assertTrue(report.path("rto").path("measuredSeconds").asDouble() > 0, "RTO measured: " + report.path("rto"));
    String oldVolume = result.path("keptVolumes").get(0).path("volume").asText();
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      var volume = kubernetes.persistentVolumes().withName(oldVolume).get();
      assertEquals("Retain", volume.getSpec().getPersistentVolumeReclaimPolicy());
      Path kept = Path.of(volume.getSpec().getHostPath().getPath());
      assertTrue(Files.exists(kept.resolve("PG_VERSION")), "the old data directory is kept whole: " + kept);
      String newVolume = kubernetes.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName("data-postgresql-0").get()
          .getSpec().getVolumeName();
      assertNotEquals(oldVolume, newVolume);
      assertEquals(1, kubernetes.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET)
          .get().getSpec().getReplicas(), "the standby, on the old timeline, stays stopped");
      assertEquals(3, kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName("fabrica-api").get().getSpec().getReplicas(),
          "the writers are back");
    }
    assertTrue(report.path("message").asText().contains("re-clone"), report.path("message").asText());
    assertEquals(0, count("SELECT count(*) FROM pg_file_settings WHERE name = 'restore_command'"), "no recovery settings left");
  }

  private void insert(int from, int to) throws SQLException {
    for (int n = from; n <= to; n++) {
      data.sql("INSERT INTO ledger (n) VALUES (" + n + ")");
    }
  }

  /** Switches the WAL and waits until the archiver has stored every segment up to it. */
  private void archiveAll() throws Exception {
    String last = query("SELECT pg_walfile_name(pg_current_wal_lsn())");
    query("SELECT pg_switch_wal()::text");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String archived = query("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
      if (archived.length() >= 24 && archived.substring(8, 24).compareTo(last.substring(8, 24)) >= 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the lab did not archive " + last + " within 60 s");
  }

  private String query(String sql) throws SQLException {
    try (Connection c = data.primary().connect(processes.lab.pair().database()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long count(String sql) throws SQLException {
    return Long.parseLong(query(sql));
  }
}
