package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;

/**
 * Builds the Kubernetes client pgdr's activities use, with waits bounded in seconds. fabric8's
 * defaults (10 s connect, 10 s per request, then up to 10 retries with doubling backoff) let one
 * call to a dead API server take minutes, which a diagnosis step multiplies by its calls and retries.
 */
public final class KubernetesClients {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** One quick retry rides out a dropped connection; the activity's own retries do the rest. */
  static final int REQUEST_RETRIES = 1;

  private KubernetesClients() {}

  /** A client for the API server {@code config} names (as read from a kubeconfig or in-cluster), its waits bounded. */
  public static KubernetesClient bounded(Config config) {
    return new KubernetesClientBuilder().withConfig(withBoundedWaits(config)).build();
  }

  /** Overrides the timeouts of {@code config} in place and returns it; everything else (auth, TLS) stays as read. */
  public static Config withBoundedWaits(Config config) {
    config.setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis());
    config.setRequestTimeout((int) REQUEST_TIMEOUT.toMillis());
    config.setRequestRetryBackoffLimit(REQUEST_RETRIES);
    return config;
  }
}
