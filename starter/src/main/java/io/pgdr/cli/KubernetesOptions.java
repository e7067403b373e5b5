package io.pgdr.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.kubernetes.KubernetesClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --kubeconfig}: Kubernetes access as kubectl finds it, for commands that talk to the API themselves. */
final class KubernetesOptions {

  /**
   * A command someone waits for says soon that the API server does not answer; fabric8's defaults
   * (10 retries with backoff) took 21 s to fail. The worker keeps them: its activities retry anyway.
   */
  static final Duration COMMAND_CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration COMMAND_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final int COMMAND_RETRIES = 1;

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
  Path kubeconfig;

  /** Timeouts of seconds, whatever the kubeconfig says: an API server that does not answer fails the step, not hangs it. */
  KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** For a CLI command: a few seconds per request and one retry, so an unreachable API server is told quickly. */
  KubernetesClient commandClient() {
    Config config = config();
    config.setConnectionTimeout((int) COMMAND_CONNECT_TIMEOUT.toMillis());
    config.setRequestTimeout((int) COMMAND_REQUEST_TIMEOUT.toMillis());
    config.setRequestRetryBackoffLimit(COMMAND_RETRIES);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private Config config() {
    if (kubeconfig == null) {
      // what KubernetesClientBuilder reads by default: KUBECONFIG, ~/.kube/config or in-cluster
      return KubernetesClients.bounded(new ConfigBuilder().build());
    }
    if (!Files.isReadable(kubeconfig)) {
      throw CliException.badInput("kubeconfig " + kubeconfig + " cannot be read", null);
    }
    try {
      return KubernetesClients.bounded(Config.fromKubeconfig(Files.readString(kubeconfig)));
    } catch (IOException e) {
      throw CliException.badInput("kubeconfig " + kubeconfig + ": " + e.getMessage(), null);
    }
  }
}
