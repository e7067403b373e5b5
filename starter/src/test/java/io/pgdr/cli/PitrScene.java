package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * What a point-in-time recovery in the lab starts from and must end with: a base backup taken with
 * {@code pgdr backup base}, 200 rows committed before a target time, 100 after it (the mistake and
 * what followed), all archived by the lab; afterwards exactly the 200, on a new timeline and a new
 * volume, the old volume kept whole, the standby left stopped, the writers back, no recovery
 * settings left.
 */
record PitrScene(LabProcesses processes, String target) {

  static PitrScene write(LabProcesses processes) throws Exception {
    LabData data = new LabData(processes);
    data.sql("CREATE TABLE ledger (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    PitrScene scene = new PitrScene(processes, null);
    scene.insert(1, 100);
    CliRun base = processes.pgdr(Duration.ofMinutes(3), "backup", "base", "--target", processes.targetFile(), "--output", "json");
    assertEquals(0, base.exitCode(), base.toString());
    scene.insert(101, 200);
    Thread.sleep(1100);
    String target = scene.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    Thread.sleep(1100);
    scene.insert(201, 300);
    processes.lab.pair().primary().archiveWalUpToNow(Duration.ofSeconds(60));
    return new PitrScene(processes, target);
  }

  void assertRecovered(JsonNode report, KubernetesClient kubernetes) throws Exception {
    assertEquals(200, count("SELECT count(*) FROM ledger"), "exactly the rows committed before the target");
    assertEquals(200, count("SELECT max(n) FROM ledger"));
    JsonNode result = report.path("result");
    assertEquals(1, result.path("timeline").asInt(), "the target lies on timeline 1: " + result);
    assertTrue(result.path("reached").path("timeline").asInt() >= 2, "a new timeline: " + result);
    assertTrue(report.path("rto").path("measuredSeconds").asDouble() > 0, "RTO measured: " + report.path("rto"));
    String oldVolume = result.path("keptVolumes").get(0).path("volume").asText();
    var volume = kubernetes.persistentVolumes().withName(oldVolume).get();
    assertEquals("Retain", volume.getSpec().getPersistentVolumeReclaimPolicy());
    Path kept = Path.of(volume.getSpec().getHostPath().getPath());
    assertTrue(Files.exists(kept.resolve("PG_VERSION")), "the old data directory is kept whole: " + kept);
    String newVolume = kubernetes.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName("data-postgresql-0").get()
        .getSpec().getVolumeName();
    assertNotEquals(oldVolume, newVolume, "the database runs on a new volume");
    assertEquals(1, kubernetes.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET)
        .get().getSpec().getReplicas(), "the standby, on the old timeline, stays stopped");
    assertEquals(3, kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.API_DEPLOYMENT)
        .get().getSpec().getReplicas(), "the writers are back");
    assertTrue(report.path("message").asText().contains("re-clone"), report.path("message").asText());
    assertEquals(0, count("SELECT count(*) FROM pg_file_settings WHERE name = 'restore_command'"), "no recovery settings left");
    assertTrue(!Files.exists(processes.lab.pair().primary().dataDir().resolve("pgdr_spool")), "the WAL spool is gone");
  }

  private void insert(int from, int to) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (int n = from; n <= to; n++) {
        s.execute("INSERT INTO ledger (n) VALUES (" + n + ")");
      }
    }
  }

  private Connection connect() throws SQLException {
    return processes.lab.pair().primary().connect(processes.lab.pair().database());
  }

  private String query(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long count(String sql) throws SQLException {
    return Long.parseLong(query(sql));
  }
}
