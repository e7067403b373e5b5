package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Incidents on the lab, with the worker (receiving Alertmanager's webhook) and the CLI as separate
 * processes: the primary's pod deleted and on its way back is assessed as a transient outage. The
 * other assessments on real lab states are the standing chaos tests': a killed primary and an alert
 * ({@link StandingChaosIncidentIT}), connections nearly exhausted by idle transactions
 * ({@link StandingChaosPoolIT}).
 */
@Tag("real-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentEndToEndIT {

  private Path logs;
  private LabProcesses processes;

  @BeforeAll
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    logs = Files.createTempDirectory("pgdr-incident-e2e-logs");
    // a recreated pod waits before its server starts, as a kubelet starting a container does: the
    // window in which an incident finds the primary's pod on its way back
    processes = LabProcesses.up(logs, false, Map.of("PGDR_LAB_POD_START_DELAY", "15"));
  }

  @AfterAll
  void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  @Test
  void aPrimaryPodDeletedAndComingBackIsATransientOutage() throws Exception {
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      kubernetes.pods().inNamespace(KubernetesFixture.NAMESPACE).withName("postgresql-0").delete();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
        Pod pod = kubernetes.pods().inNamespace(KubernetesFixture.NAMESPACE).withName("postgresql-0").get();
        return pod != null && pod.getStatus() != null && "Pending".equals(pod.getStatus().getPhase());
      });
    }
    CliRun plan = processes.pgdr(Duration.ofMinutes(2), "incident", "start", "--target", processes.targetFile(),
        "--cause", "checkout fails with connection refused", "--plan", "--output", "json");

    assertEquals(0, plan.exitCode(), plan.toString());
    JsonNode incident = Json.MAPPER.readTree(plan.out()).path("result");
    assertEquals("TransientOutage", incident.path("recommended").asText(), incident.toString());
    assertTrue(incident.path("reasons").toString().contains("pod postgresql-0 is Pending"), incident.toString());
    assertEquals("planned", Json.MAPPER.readTree(plan.out()).path("outcome").asText(), "a plan starts nothing");
  }
}
