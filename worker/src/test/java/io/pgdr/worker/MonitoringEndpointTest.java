package io.pgdr.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pgdr.activities.TransferMetrics;
import io.pgdr.run.RunMetrics;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's endpoint scraped over HTTP, with a real worker polling Temporal's Java test service:
 * SDK metrics and pgdr's own reach {@code /metrics}, and the probes follow the worker's life.
 */
@org.junit.jupiter.api.Tag("real-servers")
class MonitoringEndpointTest {

  private static final String QUEUE = "pgdr-metrics-test";
  private static final long RESTORED_BYTES = 123_456_789L;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EmbeddedTemporal temporal;
  private WorkerMetrics metrics;
  private MonitoringEndpoint endpoint;
  private TemporalConnection connection;
  private KubernetesClient kubernetes;

  @BeforeEach
  void start() {
    temporal = EmbeddedTemporal.start(0);
    metrics = WorkerMetrics.start(Duration.ofMillis(100));
    endpoint = MonitoringEndpoint.start(0, metrics::scrape);
    connection = new TemporalConnection(temporal.address(), TemporalConnection.DEFAULT_NAMESPACE)
        .withMetrics(metrics.temporalScope());
    // never called here: the Kubernetes activities are registered, not run
    kubernetes = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:9").build()).build();
  }

  @AfterEach
  void stop() {
    endpoint.close();
    connection.close();
    kubernetes.close();
    metrics.close();
    temporal.close();
  }

  @Test
  void probesFollowTheWorkerLifeAndLivenessOnlyTheProcess() throws Exception {
    assertEquals(200, get("/healthz").statusCode());
    assertEquals(503, get("/readyz").statusCode(), "no worker yet");

    PgdrWorker worker = PgdrWorker.start(connection.client(), kubernetes);
    endpoint.readyWhen(worker::isReady);
    assertEquals(200, get("/readyz").statusCode(), "polling, and Temporal answers");

    worker.close();
    assertEquals(503, get("/readyz").statusCode(), "shut down");
    assertEquals(200, get("/healthz").statusCode());
    assertEquals(404, get("/metricsx").statusCode());
  }

  @Test
  void readinessFailsWhenTemporalStopsAnswering() throws Exception {
    PgdrWorker worker = PgdrWorker.start(connection.client(), kubernetes);
    endpoint.readyWhen(worker::isReady);
    assertEquals(200, get("/readyz").statusCode());

    temporal.close();

    assertEquals(503, get("/readyz").statusCode());
    worker.close();
  }

  @Test
  void sdkMetricsAndPgdrMetricsAreScrapedInPrometheusText() throws Exception {
    assertDoesNotThrow(() -> TransferMetrics.current().bytesRestored(10), "outside an activity: nothing, not a failure");
    WorkflowClient client = connection.client();
    // no workflow cache: every workflow task replays the history, so a double count would show
    WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
    factory.newWorker(QUEUE).registerWorkflowImplementationTypes(MeteredRunImpl.class);
    factory.getWorker(QUEUE).registerActivitiesImplementations(new MeteredRestoreImpl());
    factory.start();
    try {
      MeteredRun run = client.newWorkflowStub(MeteredRun.class,
          WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("metrics-test").build());
      assertEquals("done", run.recover());

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        String body = get("/metrics").body();
        return body.contains("pgdr_runs_total{") && body.contains("pgdr_restore_bytes_total{");
      });
      HttpResponse<String> scrape = get("/metrics");
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      String body = scrape.body();

      assertTrue(body.contains("temporal_request_total{"), "gRPC calls of the SDK");
      assertTrue(body.contains("temporal_workflow_completed_total{"), "the worker's workflow metrics");
      assertTrue(body.contains("jvm_memory_used_bytes{"), "JVM metrics");
      String runs = line(body, "pgdr_runs_total\\{[^}]*\\}");
      assertTrue(runs.contains("scenario=\"drill\"") && runs.contains("outcome=\"succeeded\"") && runs.contains("rto_breached=\"true\""), runs);
      assertTrue(runs.endsWith(" 1.0"), "one run, however often replayed: " + runs);
      String rto = line(body, "pgdr_run_rto_seconds_sum\\{[^}]*\\}");
      assertTrue(rto.endsWith(" 4200.0"), rto);
      assertTrue(Pattern.compile("(?m)^pgdr_run_rto_seconds_bucket\\{[^}]*le=\"(\\d{4,5}\\.\\d+)\",\\} 1\\.0$").matcher(body).find(),
          "an RTO of 70 min falls in a finite bucket, not only +Inf");
      String approval = line(body, "pgdr_approval_wait_seconds_sum\\{[^}]*\\}");
      assertTrue(approval.endsWith(" 90.0"), approval);
      String bytes = line(body, "pgdr_restore_bytes_total\\{[^}]*\\}");
      assertTrue(bytes.endsWith(" " + (double) RESTORED_BYTES), bytes);
      assertTrue(bytes.contains("activity_type=\"Restore\""), "labelled with the activity: " + bytes);
      String rate = line(body, "pgdr_restore_rate_bytes_per_second\\{[^}]*\\}");
      assertTrue(rate.endsWith(" " + RESTORED_BYTES / 60.0), rate);
    } finally {
      factory.shutdownNow();
    }
  }

  @Test
  void aTakenPortIsReportedAsSuch() {
    MonitoringEndpoint.PortInUseException e = assertThrows(MonitoringEndpoint.PortInUseException.class,
        () -> MonitoringEndpoint.start(endpoint.port(), () -> ""));
    assertTrue(e.getMessage().contains(Integer.toString(endpoint.port())), e.getMessage());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String line(String body, String series) {
    Matcher matcher = Pattern.compile("(?m)^" + series + " \\S+$").matcher(body);
    assertTrue(matcher.find(), "no " + series + " in:\n" + body);
    return matcher.group();
  }

  @WorkflowInterface
  public interface MeteredRun {
    @WorkflowMethod
    String recover();
  }

  @ActivityInterface
  public interface MeteredRestore {
    void restore();
  }

  /** A run that records what a scenario records, across three workflow tasks. */
  public static class MeteredRunImpl implements MeteredRun {
    @Override
    public String recover() {
      Workflow.newActivityStub(MeteredRestore.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build()).restore();
      RunMetrics.approvalWaited("drill", Duration.ofSeconds(90));
      Workflow.sleep(Duration.ofMillis(10));
      RunMetrics.runFinished("drill", "succeeded", 4200.0, true);
      return "done";
    }
  }

  static class MeteredRestoreImpl implements MeteredRestore {
    @Override
    public void restore() {
      TransferMetrics transfer = TransferMetrics.current();
      transfer.bytesRestored(RESTORED_BYTES - 1_000);
      transfer.bytesRestored(1_000);
      transfer.restoreFinished(RESTORED_BYTES, Duration.ofMinutes(1));
    }
  }
}
