package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standing chaos test of PointInTimeRecovery. */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosPitrIT extends StandingChaos {

  /**
   * A point-in-time recovery in the lab, which archives its WAL: a base backup, rows on both sides of
   * a target time, the plan shown, then the run with its worker killed at each PITR step and once
   * while the server recovers on the WAL it fetched. It ends with exactly the rows before the target
   * on a new timeline and a new volume, the old volume kept, the database stopped and started once,
   * the writers stopped and brought back once, and no segment fetched twice.
   */
  @Test
  void aPitrWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    PitrScene scene = PitrScene.write(processes);
    CliRun plan = processes.pgdr(Duration.ofMinutes(2), "pitr", "--target", processes.targetFile(), "--target-time", scene.target(), "--plan");
    assertEquals(0, plan.exitCode(), plan.toString());
    assertTrue(plan.out().contains("restore-base") && plan.out().contains("keep-volume") && plan.out().contains("stop-database"), plan.toString());
    Instant planned = temporal.newUntypedWorkflowStub(RUN).describe().getStartTime();
    Path spool = processes.lab.pair().primary().dataDir().resolve("pgdr_spool").resolve("fetched");
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<Deployment> api = scale(kubernetes, KubernetesFixture.API_DEPLOYMENT);
         Transitions<io.fabric8.kubernetes.api.model.apps.StatefulSet> database = new Transitions<>(kubernetes.apps().statefulSets()
             .inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET), s -> String.valueOf(s.getSpec().getReplicas()))) {
      PgdrProcess cli = processes.startPgdr("pitr", "--target", processes.targetFile(), "--target-time", scene.target(), "--yes", "--follow",
          "--output", "json");
      // the kills follow the run under the recovery's workflow ID: this one, not the plan's
      org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> {
        try {
          return temporal.newUntypedWorkflowStub(RUN).describe().getStartTime().isAfter(planned);
        } catch (RuntimeException notYet) {
          return false;
        }
      });

      KillPoints kills = new KillPoints(processes, temporal, RUN)
          .killInFirstTask()
          .killAtActivity("StopDatabase")
          .killAtActivity("FreshVolume")
          .killAtActivity("RestoreBase")
          .killWhen("WAL fetched, the server recovering on it", () -> Files.exists(spool) && !Files.readAllLines(spool).isEmpty())
          .killAtActivity("VerifyPrimary");
      CliRun run = cli.await(Duration.ofMinutes(8));
      System.out.println("pitr chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      scene.assertRecovered(report, kubernetes);
      assertEquals(0, report.path("result").path("reached").path("fetchedAgain").asInt(), "no segment fetched twice: " + report.path("result"));
      assertEquals(List.of("2", "0", "1"), database.values(), "the database stopped once, started once (the standby stays stopped)");
      assertEquals(List.of("3", "0", "3"), api.values(), "fabrica-api stopped once, back once");
      assertRtoFromTheRunsStart(report);
    }
  }
}
