package io.pgdr.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.kubernetes.KubernetesClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --kubeconfig}: Kubernetes access as kubectl finds it, for commands that talk to the API themselves. */
public final class KubernetesOptions {

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
  Path kubeconfig;

  /**
   * Timeouts of seconds, whatever the kubeconfig says, for the worker and the CLI's own commands
   * alike: an API server that does not answer fails the step or the command soon, naming itself.
   */
  public KubernetesClient client() {
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
