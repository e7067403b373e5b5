package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** A pod's CPU and memory from the metrics API, as {@code kubectl top pod} shows them. */
final class PodUsage {

  private PodUsage() {}

  /**
   * "cpu 250m, memory 310Mi", or why there is none: most clusters serve the metrics API only
   * with metrics-server installed, and a pod that is not running has no metrics.
   */
  static String of(KubernetesClient client, String namespace, String pod) {
    try {
      PodMetrics metrics = client.top().pods().metrics(namespace, pod);
      BigDecimal cpu = BigDecimal.ZERO;
      BigDecimal memory = BigDecimal.ZERO;
      for (var container : metrics.getContainers()) {
        cpu = cpu.add(amount(container.getUsage().get("cpu")));
        memory = memory.add(amount(container.getUsage().get("memory")));
      }
      return "cpu " + cpu.movePointRight(3).setScale(0, RoundingMode.HALF_UP) + "m, memory "
          + memory.divide(BigDecimal.valueOf(1024 * 1024), 0, RoundingMode.HALF_UP) + "Mi";
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return "no resource use: the cluster serves no metrics API (metrics.k8s.io) for pod " + pod;
      }
      if (e.getCode() > 0) {
        return "no resource use: the metrics API answered " + e.getCode();
      }
      throw e;
    }
  }

  private static BigDecimal amount(Quantity quantity) {
    return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
  }
}
