package io.pgdr.cli.worker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.KubernetesOptions;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.worker.EmbeddedTemporal;
import io.pgdr.worker.MonitoringEndpoint;
import io.pgdr.worker.PgdrWorker;
import io.pgdr.worker.TemporalConnection;
import io.pgdr.worker.WorkerMetrics;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run the pgdr worker: it executes the recovery workflows and their Kubernetes and SQL steps.",
        "Kubernetes access as kubectl finds it (--kubeconfig, KUBECONFIG, ~/.kube/config, or in-cluster).",
        "Serves /metrics (Prometheus), /healthz and /readyz on the metrics port."})
public final class WorkerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;

  @Option(names = "--embedded", description = "run Temporal's Java test service in this process (in memory; for the lab and trials)")
  boolean embedded;

  @Option(names = "--embedded-port", defaultValue = "7233", description = "port of the embedded service (default: ${DEFAULT-VALUE}; 0 = any free)")
  int embeddedPort;

  @Mixin KubernetesOptions kubernetesOptions;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "port of /metrics, /healthz and /readyz (env PGDR_METRICS_PORT, default 9464; 0 = any free port)")
  Integer metricsPort;

  @Option(names = "--alert-targets", paramLabel = "DIR",
      description = "receive Alertmanager's webhook on POST /alerts (same port): an alert whose labels namespace and statefulset match a"
          + " target file in DIR starts or joins that database's incident (env PGDR_ALERT_TARGETS; default: alerts not received);"
          + " with PGDR_ALERT_TOKEN set, a notification must carry Authorization: Bearer <token>")
  Path alertTargets;

  @Override
  public Integer call() throws Exception {
    int port = metricsPort();
    Path alerts = alertTargets();
    EmbeddedTemporal service = embedded ? EmbeddedTemporal.start(embeddedPort) : null;
    TemporalConnection connection = service == null ? temporal.connection()
        : new TemporalConnection(service.address(), temporal.connection().namespace());
    try (WorkerMetrics metrics = WorkerMetrics.start();
         MonitoringEndpoint endpoint = monitoringEndpoint(port, metrics);
         KubernetesClient kubernetes = kubernetesOptions.client();
         PgdrWorker worker = PgdrWorker.start(connection.withMetrics(metrics.temporalScope()).client(), kubernetes)) {
      endpoint.readyWhen(worker::isReady);
      if (alerts != null) {
        // from the environment only: a secret on the command line is visible to every user of the machine
        endpoint.receiveAlerts(connection.client(), alerts, System.getenv("PGDR_ALERT_TOKEN"));
      }
      spec.commandLine().getErr().printf("pgdr worker: connected to Temporal at %s (namespace %s)%s; Kubernetes API %s;"
              + " metrics and health on port %d (/metrics, /healthz, /readyz)%s%n",
          connection.address(), connection.namespace(), service == null ? "" : ", embedded", kubernetes.getMasterUrl(),
          endpoint.port(), alerts == null ? "" : "; alerts on POST /alerts, targets in " + alerts);
      spec.commandLine().getErr().flush();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        worker.close();
        if (service != null) {
          service.close();
        }
      }, "pgdr-worker-shutdown"));
      worker.awaitTermination();
    }
    return ExitCodes.OK;
  }

  /** The directory of alert targets, checked now: a worker told to receive alerts must be able to read them. */
  private Path alertTargets() {
    Path dir = alertTargets;
    if (dir == null) {
      String fromEnv = System.getenv("PGDR_ALERT_TARGETS");
      dir = fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.trim());
    }
    if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
      throw CliException.badInput("alert targets " + dir + " is not a directory", "give --alert-targets the directory of the target files"
          + " alerts map to");
    }
    return dir;
  }

  private int metricsPort() {
    if (metricsPort != null) {
      return validPort(metricsPort, "--metrics-port");
    }
    String fromEnv = System.getenv("PGDR_METRICS_PORT");
    if (fromEnv == null || fromEnv.isBlank()) {
      return MonitoringEndpoint.DEFAULT_PORT;
    }
    try {
      return validPort(Integer.parseInt(fromEnv.trim()), "PGDR_METRICS_PORT");
    } catch (NumberFormatException e) {
      throw CliException.badInput("PGDR_METRICS_PORT " + io.pgdr.target.Echo.quoted(fromEnv) + " is not a port number", "set it to 1-65535, or 0 for any free port");
    }
  }

  private static int validPort(int port, String where) {
    if (port < 0 || port > 65535) {
      throw CliException.badInput(where + " " + port + " is not a port number", "use 1-65535, or 0 for any free port");
    }
    return port;
  }

  private static MonitoringEndpoint monitoringEndpoint(int port, WorkerMetrics metrics) {
    try {
      return MonitoringEndpoint.start(port, metrics::scrape);
    } catch (MonitoringEndpoint.PortInUseException e) {
      throw CliException.unavailable(e.getMessage(),
          "another pgdr worker may run on this machine: choose another port with --metrics-port or PGDR_METRICS_PORT (0 = any free port)");
    }
  }
}
