package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Incidents on the lab, with the worker (receiving Alertmanager's webhook) and the CLI as separate
 * processes. One lab for the class, in order: the primary's pod deleted and on its way back is a
 * transient outage; connections nearly exhausted by a pool with idle transactions are assessed as a
 * pool recovery and recovered. An alert's way to a promotion approved by a policy is the standing
 * chaos test's ({@link StandingChaosIncidentIT}).
 */
@Tag("real-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
  @Order(1)
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
    // back on its data once its server starts: the next tests start from a whole pair
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(processes.lab.pair().nodes().get(0)::acceptsConnections);
  }

  @Test
  @Order(2)
  void connectionsNearlyExhaustedByIdleTransactionsAreAPoolRecoveryThatEndsOnlyThose() throws Exception {
    // max_connections 40, 3 reserved: 31 clients are past 80% of the 37 open to applications
    List<Connection> idleInTransaction = new ArrayList<>();
    List<Connection> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 31; i++) {
        Connection c = processes.connectThroughService("pool-" + i);
        if (i < 8) {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.execute("SELECT count(*) FROM stories"); // a transaction left open, as a leaking pool does
          }
          idleInTransaction.add(c);
        } else {
          idle.add(c);
        }
      }
      Thread.sleep(2_500); // older than the threshold below

      CliRun run = processes.pgdr(Duration.ofMinutes(3), "incident", "start", "--target", processes.targetFile(),
          "--cause", "checkout fails: too many clients already", "--idle-longer-than", "2", "--yes", "--follow", "--output", "json");

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      JsonNode incident = report.path("result");
      assertEquals("ConnectionPoolRecovery", incident.path("recommended").asText(), incident.toString());
      assertTrue(incident.path("findings").toString().contains("idle in a transaction past 2 s: 8 sessions"), incident.toString());
      JsonNode pool = incident.path("childReport");
      assertEquals("succeeded", pool.path("outcome").asText(), pool.toString());
      assertEquals(8, pool.path("result").path("terminated").size(), pool.toString());
      for (Connection c : idleInTransaction) {
        assertFalse(c.isValid(2), "an idle transaction past the threshold was ended");
      }
      for (Connection c : idle) {
        assertTrue(c.isValid(2), "an idle session outside a transaction was left alone");
      }
    } finally {
      for (Connection c : idleInTransaction) {
        c.close();
      }
      for (Connection c : idle) {
        c.close();
      }
    }
  }

}
