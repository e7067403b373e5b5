package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.drill.Markers;
import io.pgdr.ports.KubernetesLabels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standing chaos test of ReplicaPromotion. */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosFailoverIT extends StandingChaos {

  private static final int MARKERS = 100;

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
}
