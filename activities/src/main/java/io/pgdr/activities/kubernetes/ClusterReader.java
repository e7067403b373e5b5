package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PromotionIntent;
import io.pgdr.target.DatabaseTarget;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads what {@code kubectl get statefulset,pods,pvc,svc,events} shows in runbook 000 §2.1. */
final class ClusterReader {

  private static final Logger log = LoggerFactory.getLogger(ClusterReader.class);
  static final int EVENTS_KEPT = 10;

  private final KubernetesClient client;

  ClusterReader(KubernetesClient client) {
    this.client = client;
  }

  ClusterState read(DatabaseTarget target) {
    String ns = target.namespace();
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).get();
    if (sts == null) {
      throw MissingResource.failure("StatefulSet", ns, target.statefulSet());
    }
    Service service = client.services().inNamespace(ns).withName(target.service()).get();
    if (service == null) {
      throw MissingResource.failure("Service", ns, target.service());
    }
    LabelSelector selector = sts.getSpec().getSelector();
    FencedPods fenced = FencedPods.from(sts.getMetadata().getAnnotations(), KubernetesLabels.FENCED_PODS);

    List<PodState> pods = client.pods().inNamespace(ns).withLabelSelector(selector).list().getItems().stream()
        .map(pod -> podState(target, pod, fenced))
        .sorted(Comparator.comparing(PodState::name))
        .toList();
    List<String> claims = client.persistentVolumeClaims().inNamespace(ns).withLabelSelector(selector).list()
        .getItems().stream()
        .map(claim -> claim.getMetadata().getName())
        .sorted()
        .toList();
    Map<String, String> serviceSelector =
        service.getSpec().getSelector() == null ? Map.of() : Map.copyOf(service.getSpec().getSelector());
    Set<String> podNames = pods.stream().map(PodState::name).collect(Collectors.toSet());

    return new ClusterState(
        sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas(),
        sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0 : sts.getStatus().getReadyReplicas(),
        pods,
        claims,
        serviceSelector,
        recentWarnings(ns, podNames),
        promotionOf(sts));
  }

  /** The promotion a failover run recorded; an annotation pgdr cannot read is reported as none, with a warning. */
  private PromotionIntent promotionOf(StatefulSet sts) {
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(KubernetesLabels.PROMOTION);
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      PromotionIntent intent = client.getKubernetesSerialization().unmarshal(json, PromotionIntent.class);
      if (intent.runId() == null || intent.pod() == null) {
        throw new IllegalArgumentException("no runId or pod");
      }
      return intent;
    } catch (RuntimeException e) {
      log.warn("StatefulSet {}: annotation {} is not a promotion record, ignored: {}", sts.getMetadata().getName(),
          KubernetesLabels.PROMOTION, e.getMessage());
      return null;
    }
  }

  static PodState podState(DatabaseTarget target, Pod pod, FencedPods fenced) {
    String name = pod.getMetadata().getName();
    var status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Unknown" : status.getPhase();
    boolean ready = status != null && status.getConditions() != null && status.getConditions().stream()
        .anyMatch(ClusterReader::isReadyTrue);
    int restarts = status == null || status.getContainerStatuses() == null ? 0 : status.getContainerStatuses().stream()
        .map(ContainerStatus::getRestartCount)
        .filter(Objects::nonNull)
        .mapToInt(Integer::intValue)
        .sum();
    PodEndpoint endpoint = PodEndpoint.of(target, name, status == null ? null : status.getPodIP());
    return new PodState(name, phase, ready, restarts, endpoint.host(), endpoint.port(), fenced.contains(name));
  }

  private static boolean isReadyTrue(PodCondition condition) {
    return "Ready".equals(condition.getType()) && "True".equals(condition.getStatus());
  }

  // Core v1 events, filtered here rather than by field selector so the same code reads a real
  // API server and the CRUD mock; a namespace's event list is short-lived and small.
  private List<String> recentWarnings(String ns, Set<String> podNames) {
    List<Event> warnings = client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(event -> "Warning".equals(event.getType()))
        .filter(event -> event.getInvolvedObject() != null && podNames.contains(event.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(ClusterReader::when))
        .toList();
    return warnings.subList(Math.max(0, warnings.size() - EVENTS_KEPT), warnings.size()).stream()
        .map(ClusterReader::describe)
        .toList();
  }

  private static String when(Event event) {
    if (event.getLastTimestamp() != null) {
      return event.getLastTimestamp();
    }
    if (event.getEventTime() != null && event.getEventTime().getTime() != null) {
      return event.getEventTime().getTime();
    }
    String created = event.getMetadata() == null ? null : event.getMetadata().getCreationTimestamp();
    return created == null ? "" : created;
  }

  private static String describe(Event event) {
    String count = event.getCount() != null && event.getCount() > 1 ? " (x" + event.getCount() + ")" : "";
    return event.getInvolvedObject().getName() + " " + event.getReason() + ": " + event.getMessage() + count;
  }
}
