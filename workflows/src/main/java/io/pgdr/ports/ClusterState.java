package io.pgdr.ports;

import java.util.List;
import java.util.Map;

/**
 * The Kubernetes side of a database at one moment: StatefulSet, pods, claims, the Service's
 * selector and recent warning events (runbook 000 §2.1).
 */
public record ClusterState(
    int desiredReplicas,
    int readyReplicas,
    List<PodState> pods,
    List<String> volumeClaims,
    Map<String, String> serviceSelector,
    List<String> recentEvents) {

  /** The pod the Service sends clients to, if it selects one by name. */
  public String servicePod() {
    return serviceSelector.get(KubernetesLabels.POD_NAME);
  }
}
