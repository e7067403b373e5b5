package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.drill.Markers;
import io.pgdr.lab.drill.ServiceWriteProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
 * pool recovery and recovered; then the primary is killed, an
 * Alertmanager-shaped PostgresDown is POSTed to the worker, and the incident's promotion, approved
 * by the target's promote-within-rpo policy, moves the Service to the replica.
 */
@Tag("real-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncidentEndToEndIT {

  private static final String INCIDENT = "incident-fabrica-agentes.postgresql";
  private static final int MARKERS = 50;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Path logs;
  private LabProcesses processes;
  private Path policyTarget;
  private int workerPort;

  @BeforeAll
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    logs = Files.createTempDirectory("pgdr-incident-e2e-logs");
    // a recreated pod waits before its server starts, as a kubelet starting a container does: the
    // window in which an incident finds the primary's pod on its way back
    processes = LabProcesses.up(logs, false, Map.of("PGDR_LAB_POD_START_DELAY", "8"));
    Path alertTargets = Files.createDirectories(logs.resolve("alert-targets"));
    // the lab's target, with the policy that pre-approves a promotion within the RPO, and an owner
    policyTarget = alertTargets.resolve("fabrica.yaml");
    Files.writeString(policyTarget, Files.readString(Path.of(processes.targetFile()))
        .replace("  timeout: \"PT15M\"\n", "  timeout: \"PT15M\"\n  policies: [\"promote-within-rpo\"]\n") + "owner: \"dba-team\"\n");
    processes.killWorker();
    processes.startWorker("--alert-targets", alertTargets.toString());
    workerPort = processes.workerPort();
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
    PostgresPair pair = processes.lab.pair();
    // max_connections 40, 3 reserved: 31 clients are past 80% of the 37 open to applications
    List<Connection> idleInTransaction = new ArrayList<>();
    List<Connection> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 31; i++) {
        Connection c = connect(pair, "pool-" + i);
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

  @Test
  @Order(3)
  void aPostgresDownAlertFailsOverWithTheTargetsPolicyAsTheApprover() throws Exception {
    Markers markers = new Markers(processes.status.serviceEndpoint(), processes.lab.pair());
    long lastMarker = markers.writeReplicated(MARKERS, "postgresql-1");
    assertEquals("postgresql-0", processes.lab.killPrimary());
    String alert = postgresDown(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    Optional<Double> firstWrite;
    try (ServiceWriteProbe probe = ServiceWriteProbe.throughService(processes.status.serviceEndpoint(), processes.lab.pair())) {
      long posted = System.nanoTime();
      HttpResponse<String> answer = post(alert);
      probe.start(posted);
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"action\":\"started\""), answer.body());
      firstWrite = probe.awaitFirstWrite(Duration.ofMinutes(2));
    }
    assertTrue(firstWrite.isPresent(), "a write through the Service succeeded after the alert");
    System.out.printf("alert to first write through the Service: %.3f s%n", firstWrite.get());

    CliRun followed = processes.pgdr(Duration.ofMinutes(2), "status", INCIDENT, "--follow", "--output", "json");
    assertEquals(0, followed.exitCode(), followed.toString());
    JsonNode report = Json.MAPPER.readTree(followed.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode approval = report.path("approvals").get(0);
    assertEquals("policy promote-within-rpo (owner dba-team)", approval.path("by").asText(), approval.toString());
    assertTrue(approval.path("reason").asText().contains("the old primary postgresql-0 does not answer as a primary, and is fenced"), approval.toString());
    JsonNode incident = report.path("result");
    assertEquals("ReplicaPromotion", incident.path("recommended").asText());
    assertEquals("PostgresDown", incident.path("alerts").get(0).path("name").asText());
    JsonNode promotion = incident.path("childReport");
    assertEquals("postgresql-1", promotion.path("result").path("newPrimary").asText(), promotion.toString());
    assertEquals("policy promote-within-rpo (owner dba-team)", promotion.path("approvals").get(0).path("by").asText(),
        "the promotion checked the policy again on its own diagnosis");
    assertEquals(MARKERS, markers.countThroughService(lastMarker), "every replicated marker is on the new primary");

    HttpResponse<String> repeated = post(alert);
    assertEquals(200, repeated.statusCode(), repeated.body());
    assertTrue(repeated.body().contains("\"action\":\"handled\""), "Alertmanager's repeat starts nothing: " + repeated.body());
    HttpResponse<String> malformed = post("{\"version\": \"4\", \"alerts\": [{\"labels\": {}}]}");
    assertEquals(400, malformed.statusCode(), malformed.body());
    assertTrue(malformed.body().contains("alerts[0].labels.alertname: missing"), malformed.body());
  }

  private Connection connect(PostgresPair pair, String application) throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", pair.superuser());
    login.setProperty("password", pair.password());
    login.setProperty("ApplicationName", application);
    return DriverManager.getConnection("jdbc:postgresql://" + processes.status.serviceEndpoint() + "/" + pair.database(), login);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workerPort + "/alerts")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** What Alertmanager POSTs for runbook 000's PostgresDown on the lab's primary. */
  static String postgresDown(Instant startsAt) {
    return """
        {"version": "4", "status": "firing", "receiver": "pgdr", "groupKey": "{}:{alertname=\\"PostgresDown\\"}",
         "groupLabels": {"alertname": "PostgresDown"},
         "commonLabels": {"alertname": "PostgresDown", "namespace": "fabrica-agentes", "statefulset": "postgresql"},
         "commonAnnotations": {"summary": "PostgreSQL postgresql-0 is down"}, "externalURL": "http://127.0.0.1:9093",
         "alerts": [{"status": "firing", "labels": {"alertname": "PostgresDown", "namespace": "fabrica-agentes",
                     "statefulset": "postgresql", "pod": "postgresql-0", "severity": "critical"},
                     "annotations": {"summary": "PostgreSQL postgresql-0 is down"},
                     "startsAt": "%s", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "9a1f3c2b7d4e5f60"}]}
        """.formatted(startsAt);
  }
}
