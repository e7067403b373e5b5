package io.pgdr.ports;

import java.util.List;
import java.util.Map;

/**
 * The Kubernetes side of a database at one moment: StatefulSet, pods, claims, the Service's
 * selector and recent warning events (runbook 000 §2.1).
 *
 * @param promotion the promotion a failover run recorded on the StatefulSet; null when none
 */
public record ClusterState(
    int desiredReplicas,
    int readyReplicas,
    List<PodState> pods,
    List<String> volumeClaims,
    Map<String, String> serviceSelector,
    List<String> recentEvents,
    PromotionIntent promotion) {

  public ClusterState(int desiredReplicas, int readyReplicas, List<PodState> pods, List<String> volumeClaims,
      Map<String, String> serviceSelector, List<String> recentEvents) {
    this(desiredReplicas, readyReplicas, pods, volumeClaims, serviceSelector, recentEvents, null);
  }

  /** The pod the Service sends clients to, if it selects one by name. */
  public String servicePod() {
    return serviceSelector.get(KubernetesLabels.POD_NAME);
  }
}
