package io.pgdr.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import io.temporal.client.WorkflowClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP endpoint for Prometheus and for Kubernetes probes:
 * <ul>
 *   <li>{@code /metrics} — every meter of {@link WorkerMetrics}, Prometheus text format;</li>
 *   <li>{@code /healthz} — liveness: 200 while the process answers at all;</li>
 *   <li>{@code /readyz} — readiness: 200 once the readiness check given to {@link #readyWhen}
 *       passes (the worker polls and Temporal answers), 503 before and after.</li>
 * </ul>
 * It listens on every interface: the kubelet and Prometheus reach it from outside the pod.
 */
public final class MonitoringEndpoint implements AutoCloseable {

  /** The OpenTelemetry Prometheus exporter's port: registered for application metrics, rarely taken. */
  public static final int DEFAULT_PORT = 9464;

  private static final Logger log = LoggerFactory.getLogger(MonitoringEndpoint.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String PLAIN_TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  private final HttpServer server;
  private volatile AlertReceiver alerts;
  private volatile String alertToken;
  private final ExecutorService handlers;
  private final Supplier<String> metrics;
  private volatile BooleanSupplier readiness = () -> false;

  private MonitoringEndpoint(HttpServer server, ExecutorService handlers, Supplier<String> metrics) {
    this.server = server;
    this.handlers = handlers;
    this.metrics = metrics;
  }

  /**
   * @param port the port to listen on, or 0 for any free one ({@link #port()} tells which)
   * @throws PortInUseException when another process listens there
   */
  public static MonitoringEndpoint start(int port, Supplier<String> metrics) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (BindException e) {
      throw new PortInUseException("port " + port + " for metrics and health is in use", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " for metrics and health", e);
    }
    // a few threads: a readiness check waiting on Temporal, or an alert being started, never holds up a
    // scrape or a liveness probe
    ExecutorService handlers = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "pgdr-monitoring");
      thread.setDaemon(true);
      return thread;
    });
    MonitoringEndpoint endpoint = new MonitoringEndpoint(server, handlers, metrics);
    server.createContext("/", endpoint::handle);
    server.setExecutor(handlers);
    server.start();
    return endpoint;
  }

  /**
   * From now on {@code POST /alerts} takes Alertmanager's notifications (webhook version 4) and
   * starts or joins the incident of each database an alert names, whose target file is in {@code targets}.
   *
   * @param token when given, a notification must carry {@code Authorization: Bearer <token>}
   *     (Alertmanager's {@code http_config.authorization}); anything else is answered 401
   */
  public void receiveAlerts(WorkflowClient client, Path targets, String token) {
    this.alertToken = token == null || token.isBlank() ? null : token;
    this.alerts = new AlertReceiver(client, new AlertTargets(targets));
  }

  /** From now on {@code /readyz} answers what {@code check} says at each probe. */
  public void readyWhen(BooleanSupplier check) {
    this.readiness = check;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  private boolean isReady() {
    try {
      return readiness.getAsBoolean();
    } catch (RuntimeException e) {
      log.debug("readiness check failed: {}", e.toString());
      return false;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      switch (exchange.getRequestURI().getPath()) {
        case "/metrics" -> answer(exchange, 200, PROMETHEUS_TEXT, metrics.get());
        case "/healthz" -> answer(exchange, 200, PLAIN_TEXT, "ok\n");
        case "/readyz" -> {
          boolean ready = isReady();
          answer(exchange, ready ? 200 : 503, PLAIN_TEXT, ready ? "ready\n" : "not ready\n");
        }
        case "/alerts" -> receive(exchange);
        default -> answer(exchange, 404, PLAIN_TEXT, "no such page: /metrics, /healthz, /readyz and POST /alerts are served here\n");
      }
    }
  }

  private void receive(HttpExchange exchange) throws IOException {
    AlertReceiver receiver = alerts;
    if (receiver == null) {
      answer(exchange, 404, PLAIN_TEXT, "alerts are not received here: start the worker with --alert-targets DIR\n");
    } else if (alertToken != null && !("Bearer " + alertToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      answer(exchange, 401, PLAIN_TEXT, "a notification must carry the alert token: Authorization: Bearer <PGDR_ALERT_TOKEN>\n");
    } else if (!"POST".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Allow", "POST");
      answer(exchange, 405, PLAIN_TEXT, "POST an Alertmanager notification (webhook version 4) to /alerts\n");
    } else {
      byte[] body = exchange.getRequestBody().readNBytes(AlertmanagerPayload.MAX_BYTES + 1);
      AlertReceiver.Answer answer;
      try {
        answer = receiver.receive(body);
      } catch (RuntimeException e) {
        // Temporal unreachable, a query that failed: Alertmanager retries a 5xx
        log.warn("alert notification not handled: {}", e.toString());
        answer = new AlertReceiver.Answer(503, "{\"error\": \"not handled, try again: " + e.getClass().getSimpleName() + "\"}\n");
      }
      answer(exchange, answer.status(), JSON, answer.body());
    }
  }

  private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = "HEAD".equals(exchange.getRequestMethod()) ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The port asked for is taken: another worker on this machine, or another exporter. */
  public static final class PortInUseException extends RuntimeException {
    PortInUseException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
