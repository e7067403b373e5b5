package io.pgdr.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pgdr.worker.EmbeddedTemporal;
import io.pgdr.worker.PgdrWorker;
import io.pgdr.worker.TemporalConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run the pgdr worker: it executes the recovery workflows and their Kubernetes and SQL steps.",
        "Kubernetes access as kubectl finds it (--kubeconfig, KUBECONFIG, ~/.kube/config, or in-cluster)."})
final class WorkerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;

  @Option(names = "--embedded", description = "run Temporal's Java test service in this process (in memory; for the lab and trials)")
  boolean embedded;

  @Option(names = "--embedded-port", defaultValue = "7233", description = "port of the embedded service (default: ${DEFAULT-VALUE}; 0 = any free)")
  int embeddedPort;

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
  Path kubeconfig;

  @Override
  public Integer call() throws Exception {
    EmbeddedTemporal service = embedded ? EmbeddedTemporal.start(embeddedPort) : null;
    TemporalConnection connection = service == null ? temporal.connection()
        : new TemporalConnection(service.address(), temporal.connection().namespace());
    try (KubernetesClient kubernetes = kubernetesClient();
         PgdrWorker worker = PgdrWorker.start(connection.client(), kubernetes)) {
      spec.commandLine().getErr().printf("pgdr worker: connected to Temporal at %s (namespace %s)%s; Kubernetes API %s%n",
          connection.address(), connection.namespace(), service == null ? "" : ", embedded", kubernetes.getMasterUrl());
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

  private KubernetesClient kubernetesClient() {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    if (!Files.isReadable(kubeconfig)) {
      throw CliException.badInput("kubeconfig " + kubeconfig + " cannot be read", null);
    }
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (java.io.IOException e) {
      throw CliException.badInput("kubeconfig " + kubeconfig + ": " + e.getMessage(), null);
    }
  }
}
