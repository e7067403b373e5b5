package io.pgdr.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.incident.Alert;
import io.pgdr.incident.IncidentOutcome;
import io.pgdr.incident.IncidentWorkflow;
import io.pgdr.incident.IncidentWorkflowImpl;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.run.RunStatus;
import io.pgdr.run.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * Alertmanager's notifications POSTed to the worker's endpoint: a bad one is refused with the
 * reason and starts nothing, a good one starts the database's incident, a repeated one joins it,
 * a resolved one is recorded on it, and one the ended incident already handled starts nothing.
 */
class AlertReceiverTest {

  private static final String INCIDENT = "incident-fabrica-agentes.postgresql";
  private static final String STARTS_AT = "2026-12-07T10:00:00.123456789Z";

  @TempDir Path targets;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private TestWorkflowEnvironment env;
  private MonitoringEndpoint endpoint;
  private WorkflowClient client;

  @BeforeEach
  void start() throws Exception {
    env = TestWorkflowEnvironment.newInstance();
    RunSearchAttributes.ALL.forEach(key -> env.registerSearchAttribute(key.getName(), key.getValueType()));
    Worker worker = env.newWorker(TaskQueues.PGDR);
    worker.registerWorkflowImplementationTypes(IncidentWorkflowImpl.class);
    KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
    PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
    when(kubernetes.describeCluster(any())).thenReturn(new ClusterState(2, 1, List.of(
        new PodState("postgresql-0", "Failed", false, 0, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)), List.of(),
        Map.of("statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of()));
    when(kubernetes.podLogs(any(), anyList(), anyInt())).thenReturn(Map.of());
    when(postgres.inspectServer(argThat(s -> s != null && !s.pod().equals("postgresql-1")))).thenAnswer(call ->
        ServerState.unreachable(((io.pgdr.ports.PostgresServer) call.getArgument(0)).pod(), "-", "Connection refused"));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-1")))).thenReturn(new ServerState("postgresql-1",
        "10.0.0.11:5432", true, null, true, null, "0/3000100", "0/3000100", Instant.now(), false, "15.8", List.of(), false));
    worker.registerActivitiesImplementations(kubernetes, postgres, mock(NotificationActivities.class, withSettings().withoutAnnotations()));
    env.start();
    client = env.getWorkflowClient();
    Files.writeString(targets.resolve("fabrica.yaml"), String.join("\n",
        "name: fabrica-db", "namespace: fabrica-agentes", "statefulSet: postgresql", "service: postgresql",
        "postgres:", "  database: fabrica_db", "  credentials:", "    secret: postgresql-credentials", ""));
    Files.writeString(targets.resolve("broken.yaml"), "name: [unclosed\n");
    endpoint = MonitoringEndpoint.start(0, () -> "");
    endpoint.receiveAlerts(client, targets, null);
  }

  @AfterEach
  void stop() {
    endpoint.close();
    env.close();
  }

  @Test
  void badNotificationsAreRefusedWithTheReasonAndStartNothing() throws Exception {
    assertRefused("{not json", "not JSON");
    assertRefused("{\"version\": \"3\", \"alerts\": []}", "version \"3\": pgdr reads Alertmanager's webhook version \"4\"");
    assertRefused("{\"version\": \"4\", \"alerts\": []}", "no alerts[] in the notification");
    assertRefused(notification("firing", "PostgresDown", "\"namespace\": \"fabrica-agentes\""), "alerts[0].labels.statefulset: missing");
    assertRefused(notification("firing", "DiskFull", labels("postgresql")), "alert DiskFull is not one pgdr acts on");
    assertRefused(notification("firing", "PostgresDown", labels("other-db")),
        "no target for namespace fabrica-agentes, statefulset other-db in " + targets);
    assertRefused(notification("pending", "PostgresDown", labels("postgresql")), "alerts[0].status: pending is neither firing nor resolved");

    assertEquals(405, http.send(HttpRequest.newBuilder(alerts()).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    assertThrows(WorkflowNotFoundException.class, () -> client.newUntypedWorkflowStub(INCIDENT).query("status", RunStatus.class));
  }

  @Test
  void withATokenANotificationWithoutItIsRefused() throws Exception {
    endpoint.receiveAlerts(client, targets, "s3cret-token");
    HttpResponse<String> without = post(notification("firing", "PostgresDown", labels("postgresql")));
    assertEquals(401, without.statusCode(), without.body());
    assertThrows(WorkflowNotFoundException.class, () -> client.newUntypedWorkflowStub(INCIDENT).query("status", RunStatus.class));
  }

  @Test
  void anAlertStartsTheIncidentARepeatJoinsItAndAResolvedOneIsRecorded() throws Exception {
    HttpResponse<String> first = post(notification("firing", "PostgresDown", labels("postgresql")));
    assertEquals(200, first.statusCode(), first.body());
    assertTrue(first.body().contains("\"action\":\"started\""), first.body());
    IncidentWorkflow incident = client.newWorkflowStub(IncidentWorkflow.class, INCIDENT);
    awaitApproval(incident);

    HttpResponse<String> repeat = post(notification("firing", "PostgresDown", labels("postgresql")));
    assertTrue(repeat.body().contains("\"action\":\"joined\""), repeat.body());
    HttpResponse<String> resolved = post(notification("resolved", "PostgresDown", labels("postgresql")));
    assertTrue(resolved.body().contains("\"action\":\"joined\""), resolved.body());

    incident.reject(new ApprovalDecision("alice", "it came back", false));
    RecoveryReport report = client.newUntypedWorkflowStub(INCIDENT).getResult(RecoveryReport.class);
    IncidentOutcome outcome = (IncidentOutcome) report.result();
    assertEquals(List.of(Alert.FIRING, Alert.RESOLVED), outcome.alerts().stream().map(Alert::status).toList(),
        "the repeat was recorded once, the resolution once");
    assertEquals(Instant.parse(STARTS_AT), report.incidentStart(), "the incident starts when the alert did");

    HttpResponse<String> late = post(notification("firing", "PostgresDown", labels("postgresql")));
    assertTrue(late.body().contains("\"action\":\"handled\""), "Alertmanager repeats a firing alert; the ended incident had it: " + late.body());
  }

  private void assertRefused(String body, String reason) throws Exception {
    HttpResponse<String> answer = post(body);
    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains(reason.replace("\"", "\\\"")), answer.body());
  }

  private static String labels(String statefulSet) {
    return "\"namespace\": \"fabrica-agentes\", \"statefulset\": \"" + statefulSet + "\", \"pod\": \"postgresql-0\"";
  }

  private static String notification(String status, String alertname, String labels) {
    return """
        {"version": "4", "status": "%1$s", "receiver": "pgdr", "groupKey": "{}:{alertname=\\"%2$s\\"}",
         "groupLabels": {"alertname": "%2$s"}, "commonLabels": {"alertname": "%2$s"},
         "commonAnnotations": {"summary": "PostgreSQL is down"}, "externalURL": "http://127.0.0.1:9093",
         "alerts": [{"status": "%1$s", "labels": {"alertname": "%2$s", "severity": "critical", %3$s},
                     "annotations": {"summary": "postgresql-0 does not answer"},
                     "startsAt": "%4$s", "endsAt": "%5$s", "fingerprint": "c0ffee"}]}
        """.formatted(status, alertname, labels, STARTS_AT, "resolved".equals(status) ? "2026-12-07T10:05:00Z" : "0001-01-01T00:00:00Z");
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(alerts()).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI alerts() {
    return URI.create("http://127.0.0.1:" + endpoint.port() + "/alerts");
  }

  private static void awaitApproval(IncidentWorkflow run) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      if (run.status().pendingApproval() != null) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no approval asked: " + run.status());
  }
}
