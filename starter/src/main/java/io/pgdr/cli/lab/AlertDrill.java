package io.pgdr.cli.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgdr.cli.Json;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.TargetYaml;
import io.pgdr.worker.MonitoringEndpoint;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
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

/**
 * The drill's alert path ({@code lab drill --via-alert}): the worker's webhook receiver on a free
 * loopback port, the lab's target with the promote-within-rpo policy in its alert directory, and
 * the PostgresDown notification Alertmanager would POST once the primary is gone.
 */
final class AlertDrill implements AutoCloseable {

  static final String OWNER = "pgdr lab drill";
  private final MonitoringEndpoint endpoint;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private AlertDrill(MonitoringEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Writes the policy target under {@code labDir} and starts receiving alerts for it. */
  static AlertDrill start(WorkflowClient client, DatabaseTarget target, Path labDir) throws IOException {
    Path targets = Files.createDirectories(labDir.resolve("alert-targets"));
    DatabaseTarget withPolicy = new DatabaseTarget(target.name(), target.namespace(), target.statefulSet(), target.service(),
        target.deployments(), target.configMap(), target.postgres(), target.objectives(),
        new ApprovalPolicy(target.approval().timeout(), target.approval().approvers(), List.of(ApprovalPolicy.PROMOTE_WITHIN_RPO)),
        target.verification(), target.notifications(), target.backups(), target.patroni(), target.poolSize(), OWNER);
    Files.writeString(targets.resolve("lab.yaml"), TargetYaml.write(withPolicy));
    MonitoringEndpoint endpoint = MonitoringEndpoint.start(0, () -> "");
    endpoint.receiveAlerts(client, targets, null);
    return new AlertDrill(endpoint);
  }

  /** POSTs PostgresDown for {@code pod}, firing since {@code startsAt}; returns the receiver's answer or fails with it. */
  String postgresDown(DatabaseTarget target, String pod, Instant startsAt) throws IOException, InterruptedException {
    ObjectNode labels = Json.MAPPER.valueToTree(Map.of("alertname", "PostgresDown", "namespace", target.namespace(),
        "statefulset", target.statefulSet(), "pod", pod, "severity", "critical"));
    ObjectNode alert = Json.MAPPER.createObjectNode();
    alert.put("status", "firing");
    alert.set("labels", labels);
    alert.set("annotations", Json.MAPPER.valueToTree(Map.of("summary", "PostgreSQL " + pod + " is down")));
    alert.put("startsAt", startsAt.toString());
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("fingerprint", Long.toHexString(startsAt.toEpochMilli()));
    ObjectNode notification = Json.MAPPER.createObjectNode();
    notification.put("version", "4");
    notification.put("status", "firing");
    notification.put("receiver", "pgdr");
    notification.set("groupLabels", Json.MAPPER.valueToTree(Map.of("alertname", "PostgresDown")));
    notification.set("commonLabels", labels);
    notification.set("commonAnnotations", alert.get("annotations"));
    notification.putArray("alerts").add(alert);
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/alerts"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(notification))).build(), HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      throw new IOException("the alert receiver answered " + answer.statusCode() + ": " + answer.body());
    }
    return answer.body();
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
