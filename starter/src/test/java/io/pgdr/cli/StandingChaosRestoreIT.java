package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standing chaos test of RestoreFromBackup. */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosRestoreIT extends StandingChaos {

  @Test
  void aRestoreWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    LabData data = new LabData(processes);
    data.sql("INSERT INTO stories (title) SELECT 'story ' || g FROM generate_series(1, 3000) g");
    data.backupRun();
    String atBackup = data.fingerprint();
    data.sql("UPDATE stories SET title = 'garbage' WHERE id % 3 = 0"); // the corruption
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<Deployment> api = scale(kubernetes, KubernetesFixture.API_DEPLOYMENT);
         Transitions<Deployment> workers = scale(kubernetes, KubernetesFixture.WORKERS_DEPLOYMENT)) {
      PgdrProcess cli = processes.startPgdr("restore", "--target", processes.targetFile(), "--yes", "--follow", "--output", "json");

      KillPoints kills = new KillPoints(processes, temporal, RUN)
          .killInFirstTask()
          .killAtActivity("StopWriters")
          .killAtActivity("RestoreBackup")
          .killAtActivity("CheckRestore")
          .killAtActivity("SwapDatabases")
          .killAtActivity("VerifyPrimary")
          .killAtActivity("RestartWriters")
          .killAtActivity("AwaitWritersReady");
      CliRun run = cli.await(Duration.ofMinutes(8));
      System.out.println("restore chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      assertEquals(atBackup, data.fingerprint(), "the live database holds exactly the backup's data");
      assertEquals(1, data.databasesLike("fabrica_db_before_%").size(), "swapped once: " + data.databasesLike("fabrica_db_%"));
      assertEquals(List.of(), data.databasesLike("fabrica_db_restore_%"), "no half-restored database left");
      assertEquals(List.of("3", "0", "3"), api.values(), "fabrica-api stopped once, back once");
      assertEquals(List.of("2", "0", "2"), workers.values(), "fabrica-workers stopped once, back once");
      assertRtoFromTheRunsStart(report);
    }
  }
}
