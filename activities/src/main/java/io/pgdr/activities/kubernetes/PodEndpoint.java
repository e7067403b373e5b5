package io.pgdr.activities.kubernetes;

import io.pgdr.target.DatabaseTarget;

/**
 * Where a pod's PostgreSQL is reached: the target's {@code postgres.endpoints} override when it
 * names the pod (a worker outside the cluster, the lab), else the pod IP on the target's port.
 */
record PodEndpoint(String host, int port) {

  static PodEndpoint of(DatabaseTarget target, String pod, String podIp) {
    int defaultPort = target.postgres() == null ? 5432 : target.postgres().port();
    String override = target.endpointOverrides().get(pod);
    if (override == null || override.isBlank()) {
      return new PodEndpoint(podIp, defaultPort);
    }
    int colon = override.lastIndexOf(':');
    if (colon < 0) {
      return new PodEndpoint(override, defaultPort);
    }
    return new PodEndpoint(override.substring(0, colon), Integer.parseInt(override.substring(colon + 1)));
  }
}
