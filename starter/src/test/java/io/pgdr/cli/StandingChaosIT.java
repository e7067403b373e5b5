package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import io.pgdr.lab.drill.Markers;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.run.RtoClock;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standing chaos test: a recovery whose worker process is SIGKILLed at each step boundary, and
 * inside the workflow task that fences, promotes and repoints, a new worker started after each
 * kill. The run must end as an undisturbed one does: same outcome, each change made once, every
 * committed and replicated row readable through the Service, RTO counted from the run's start.
 * Every new scenario adds its run here.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosIT {

  private static final String RUN = "recovery-fabrica-agentes.postgresql";
  private static final int MARKERS = 100;

  @TempDir Path logs;
  private LabProcesses processes;
  private WorkflowClient temporal;

  @BeforeEach
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    processes = LabProcesses.up(logs);
    temporal = new TemporalConnection(processes.status.temporalAddress(), "default").client();
  }

  @AfterEach
  void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  @Test
  void aFailoverWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    Markers markers = new Markers(processes.status.serviceEndpoint(), processes.lab.pair());
    long lastMarker = markers.writeReplicated(MARKERS, "postgresql-1");
    Path standbyLog = processes.lab.pair().nodes().get(1).logFile();
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<Service> service = new Transitions<>(services(kubernetes), s -> s.getSpec().getSelector().get(KubernetesLabels.POD_NAME));
         Transitions<ConfigMap> config = new Transitions<>(configMap(kubernetes), c -> c.getData().get(KubernetesFixture.CONFIG_MAP_KEY));
         Transitions<Deployment> api = restarts(kubernetes, KubernetesFixture.API_DEPLOYMENT);
         Transitions<Deployment> workers = restarts(kubernetes, KubernetesFixture.WORKERS_DEPLOYMENT)) {
      assertEquals("postgresql-0", processes.lab.killPrimary());
      PgdrProcess cli = processes.startPgdr("failover", "promote-replica", "--target", processes.targetFile(), "--yes", "--follow",
          "--output", "json");

      KillPoints kills = new KillPoints(processes, temporal, RUN)
          .killInFirstTask()
          .killWhen("promote request seen by postgresql-1", () -> promoteRequests(standbyLog) > 0)
          .killWhen("Service repointed to postgresql-1", () -> "postgresql-1".equals(selectedPod(kubernetes)))
          .killAtActivity("RestartDeployments")
          .killAtActivity("VerifyPrimary");
      CliRun run = cli.await(Duration.ofMinutes(5));
      System.out.println("failover chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      assertEquals("postgresql-1", report.path("result").path("newPrimary").asText());
      assertEquals(1, promoteRequests(standbyLog), "pg_promote reached postgresql-1 once");
      assertEquals(List.of("postgresql-0", "postgresql-1"), service.values(), "the Service was repointed once");
      assertEquals(2, config.values().size(), "the ConfigMap was repointed once: " + config.values());
      assertEquals(2, api.values().size(), "fabrica-api was restarted once: " + api.values());
      assertEquals(2, workers.values().size(), "fabrica-workers was restarted once: " + workers.values());
      assertEquals(MARKERS, markers.countThroughService(lastMarker), "every marker committed and replicated before the kill, through the Service");
      assertRtoFromTheRunsStart(report);
    }
  }

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

  private void assertRtoFromTheRunsStart(JsonNode report) {
    assertEquals(RtoClock.RUN_START, report.path("rto").path("incidentStartBasis").asText(), report.path("rto").toString());
    Instant runStart = temporal.newUntypedWorkflowStub(RUN).describe().getStartTime();
    Instant incidentStart = Instant.parse(report.path("incidentStart").asText());
    assertTrue(Duration.between(runStart, incidentStart).abs().toMillis() < 1000, incidentStart + " is the run's start " + runStart);
  }

  private static long promoteRequests(Path serverLog) throws Exception {
    return Files.readAllLines(serverLog).stream().filter(line -> line.contains("received promote request")).count();
  }

  private static String selectedPod(KubernetesClient kubernetes) {
    return services(kubernetes).get().getSpec().getSelector().get(KubernetesLabels.POD_NAME);
  }

  private static io.fabric8.kubernetes.client.dsl.Resource<Service> services(KubernetesClient kubernetes) {
    return kubernetes.services().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SERVICE);
  }

  private static io.fabric8.kubernetes.client.dsl.Resource<ConfigMap> configMap(KubernetesClient kubernetes) {
    return kubernetes.configMaps().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.CONFIG_MAP);
  }

  private static Transitions<Deployment> restarts(KubernetesClient kubernetes, String name) {
    return new Transitions<>(kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(name), d -> {
      Map<String, String> annotations = d.getSpec().getTemplate().getMetadata() == null ? null
          : d.getSpec().getTemplate().getMetadata().getAnnotations();
      return annotations == null ? null : annotations.get(KubernetesLabels.RESTARTED_BY);
    });
  }

  private static Transitions<Deployment> scale(KubernetesClient kubernetes, String name) {
    return new Transitions<>(kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(name),
        d -> String.valueOf(d.getSpec().getReplicas()));
  }
}
