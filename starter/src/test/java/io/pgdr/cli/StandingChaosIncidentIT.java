package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.drill.Markers;
import io.pgdr.ports.KubernetesLabels;
import io.temporal.api.enums.v1.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The standing chaos test of Incident: a killed primary, {@code pgdr incident start}, and the
 * worker killed in the assessment, once the promotion it recommends runs as its child, inside the
 * promotion and after the repoint. The incident and its child end as undisturbed ones.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosIncidentIT extends StandingChaos {

  private static final String INCIDENT = "incident-fabrica-agentes.postgresql";
  private static final int MARKERS = 50;

  @Test
  void anIncidentWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    Markers markers = new Markers(processes.status.serviceEndpoint(), processes.lab.pair());
    long lastMarker = markers.writeReplicated(MARKERS, "postgresql-1");
    Path standbyLog = processes.lab.pair().nodes().get(1).logFile();
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<Service> service = new Transitions<>(services(kubernetes), s -> s.getSpec().getSelector().get(KubernetesLabels.POD_NAME));
         Transitions<Deployment> api = restarts(kubernetes, KubernetesFixture.API_DEPLOYMENT)) {
      assertEquals("postgresql-0", processes.lab.killPrimary());
      PgdrProcess cli = processes.startPgdr("incident", "start", "--target", processes.targetFile(), "--cause", "checkout is down",
          "--yes", "--follow", "--output", "json");

      KillPoints kills = new KillPoints(processes, temporal, INCIDENT)
          .killInFirstTask()
          .killWhen("the promotion started as the incident's child", () -> !new KillPoints(processes, temporal, RUN).history().isEmpty())
          .killWhen("promote request seen by postgresql-1", () -> promoteRequests(standbyLog) > 0)
          .killWhen("Service repointed to postgresql-1", () -> "postgresql-1".equals(selectedPod(kubernetes)));
      CliRun run = cli.await(Duration.ofMinutes(5));
      System.out.println("incident chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      JsonNode incident = report.path("result");
      assertEquals("ReplicaPromotion", incident.path("recommended").asText());
      JsonNode promotion = incident.path("childReport");
      assertEquals("succeeded", promotion.path("outcome").asText(), promotion.toString());
      assertEquals("postgresql-1", promotion.path("result").path("newPrimary").asText());
      assertEquals(1, promoteRequests(standbyLog), "pg_promote reached postgresql-1 once");
      assertEquals(List.of("postgresql-0", "postgresql-1"), service.values(), "the Service was repointed once");
      assertEquals(2, api.values().size(), "fabrica-api was restarted once: " + api.values());
      assertEquals(1, new KillPoints(processes, temporal, INCIDENT).history().stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED).count(),
          "one promotion ran: the child was never started twice");
      assertEquals(MARKERS, markers.countThroughService(lastMarker), "every marker replicated before the kill, through the Service");
      assertRtoFromTheRunsStart(report, INCIDENT);
    }
  }
}
