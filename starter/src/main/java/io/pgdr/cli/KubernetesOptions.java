package io.pgdr.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --kubeconfig}: Kubernetes access as kubectl finds it, for commands that talk to the API themselves. */
final class KubernetesOptions {

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)")
  Path kubeconfig;

  KubernetesClient client() {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    if (!Files.isReadable(kubeconfig)) {
      throw CliException.badInput("kubeconfig " + kubeconfig + " cannot be read", null);
    }
    try {
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    } catch (IOException e) {
      throw CliException.badInput("kubeconfig " + kubeconfig + ": " + e.getMessage(), null);
    }
  }
}
