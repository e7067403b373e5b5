package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.drill.Markers;
import io.pgdr.ports.KubernetesLabels;
import io.temporal.api.enums.v1.EventType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The standing chaos test of Incident, from an alert: the primary killed, Alertmanager's PostgresDown
 * POSTed to the worker's receiver, the promotion approved by the target's promote-within-rpo policy
 * and run as the incident's child; the worker killed in the assessment, once the child started, and
 * inside the promotion. The incident and its child end as undisturbed ones; the alert repeated
 * afterwards starts nothing, a malformed one is refused.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosIncidentIT extends StandingChaos {

  private static final String INCIDENT = "incident-fabrica-agentes.postgresql";
  private static final String POLICY = "policy promote-within-rpo (owner dba-team)";
  private static final int MARKERS = 50;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void anIncidentFromAnAlertWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    Path alertTargets = Files.createDirectories(logs.resolve("alert-targets"));
    // the lab's target, with the policy that pre-approves a promotion within the RPO, and an owner
    Files.writeString(alertTargets.resolve("fabrica.yaml"), Files.readString(Path.of(processes.targetFile()))
        .replace("  timeout: \"PT15M\"\n", "  timeout: \"PT15M\"\n  policies: [\"promote-within-rpo\"]\n") + "owner: \"dba-team\"\n");
    processes.killWorker();
    processes.startWorker("--alert-targets", alertTargets.toString()); // and so every worker started after a kill

    Markers markers = new Markers(processes.status.serviceEndpoint(), processes.lab.pair());
    long lastMarker = markers.writeReplicated(MARKERS, "postgresql-1");
    Path standbyLog = processes.lab.pair().nodes().get(1).logFile();
    Instant firing;
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<Service> service = new Transitions<>(services(kubernetes), s -> s.getSpec().getSelector().get(KubernetesLabels.POD_NAME));
         Transitions<Deployment> api = restarts(kubernetes, KubernetesFixture.API_DEPLOYMENT)) {
      assertEquals("postgresql-0", processes.lab.killPrimary());
      firing = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      HttpResponse<String> answer = post(postgresDown(firing));
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"action\":\"started\""), answer.body());

      KillPoints kills = new KillPoints(processes, temporal, INCIDENT)
          .killInFirstTask()
          .killWhen("the promotion started as the incident's child", () -> !new KillPoints(processes, temporal, RUN).history().isEmpty())
          .killWhen("promote request seen by postgresql-1", () -> promoteRequests(standbyLog) > 0);
      CliRun run = processes.pgdr(Duration.ofMinutes(5), "status", INCIDENT, "--follow", "--output", "json");
      System.out.println("incident chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      assertEquals(firing, Instant.parse(report.path("incidentStart").asText()), "the incident starts when its alert did");
      JsonNode approval = report.path("approvals").get(0);
      assertEquals(POLICY, approval.path("by").asText(), approval.toString());
      assertTrue(approval.path("reason").asText().contains("the old primary postgresql-0 does not answer as a primary, and is fenced"),
          approval.toString());
      JsonNode incident = report.path("result");
      assertEquals("ReplicaPromotion", incident.path("recommended").asText());
      assertEquals("PostgresDown", incident.path("alerts").get(0).path("name").asText());
      JsonNode promotion = incident.path("childReport");
      assertEquals("succeeded", promotion.path("outcome").asText(), promotion.toString());
      assertEquals("postgresql-1", promotion.path("result").path("newPrimary").asText());
      assertEquals(POLICY, promotion.path("approvals").get(0).path("by").asText(), "the promotion checked the policy again itself");
      assertEquals(1, promoteRequests(standbyLog), "pg_promote reached postgresql-1 once");
      assertEquals(List.of("postgresql-0", "postgresql-1"), service.values(), "the Service was repointed once");
      assertEquals(2, api.values().size(), "fabrica-api was restarted once: " + api.values());
      assertEquals(1, new KillPoints(processes, temporal, INCIDENT).history().stream()
          .filter(e -> e.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED).count(),
          "one promotion ran: the child was never started twice");
      assertEquals(MARKERS, markers.countThroughService(lastMarker), "every marker replicated before the kill, through the Service");
    }

    HttpResponse<String> repeated = post(postgresDown(firing));
    assertEquals(200, repeated.statusCode(), repeated.body());
    assertTrue(repeated.body().contains("\"action\":\"handled\""), "Alertmanager's repeat starts nothing: " + repeated.body());
    HttpResponse<String> malformed = post("{\"version\": \"4\", \"alerts\": [{\"labels\": {}}]}");
    assertEquals(400, malformed.statusCode(), malformed.body());
    assertTrue(malformed.body().contains("alerts[0].labels.alertname: missing"), malformed.body());
  }

  /** To the worker now running: its port changes with each worker started after a kill. */
  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + processes.workerPort() + "/alerts"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** What Alertmanager POSTs for runbook 000's PostgresDown on the lab's primary. */
  private static String postgresDown(Instant startsAt) {
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
