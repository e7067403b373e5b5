package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.ConfigMapRef;
import io.pgdr.target.DatabaseTarget;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KubernetesActivities} through fabric8. Every write reads first and skips when the
 * resource already says what the call wants, so a retried activity changes nothing twice; writes
 * are {@code edit}s (JSON patches of the difference), so fields pgdr does not own are kept.
 */
public final class KubernetesActivitiesImpl implements KubernetesActivities {

  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final ClusterReader reader;

  public KubernetesActivitiesImpl(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  public KubernetesActivitiesImpl(KubernetesClient client, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.reader = new ClusterReader(client);
  }

  @Override
  public ClusterState describeCluster(DatabaseTarget target) {
    return reader.read(target);
  }

  /** Idempotent: the annotation is a set, and the pod annotation is rewritten only when it differs. */
  @Override
  public void fencePod(DatabaseTarget target, String pod, String runId) {
    String ns = target.namespace();
    var stsResource = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet());
    StatefulSet sts = stsResource.get();
    if (sts == null) {
      throw MissingResource.failure("StatefulSet", ns, target.statefulSet());
    }
    FencedPods fenced = FencedPods.from(sts.getMetadata().getAnnotations(), KubernetesLabels.FENCED_PODS);
    if (!fenced.contains(pod)) {
      String value = fenced.with(pod).annotationValue();
      stsResource.edit(current -> new StatefulSetBuilder(current)
          .editMetadata().addToAnnotations(KubernetesLabels.FENCED_PODS, value).endMetadata()
          .build());
      log.info("StatefulSet {}/{}: fenced pods now {}", ns, target.statefulSet(), value);
    }
    var podResource = client.pods().inNamespace(ns).withName(pod);
    Pod current = podResource.get();
    // A pod that is gone (node lost) is fenced by the StatefulSet annotation alone.
    if (current != null && !runId.equals(annotation(current.getMetadata().getAnnotations(), KubernetesLabels.FENCED_BY))) {
      podResource.edit(p -> new PodBuilder(p)
          .editMetadata().addToAnnotations(KubernetesLabels.FENCED_BY, runId).endMetadata()
          .build());
    }
  }

  /** Idempotent: no write when the selector already names the pod. */
  @Override
  public void repointService(DatabaseTarget target, String pod) {
    String ns = target.namespace();
    var resource = client.services().inNamespace(ns).withName(target.service());
    Service service = resource.get();
    if (service == null) {
      throw MissingResource.failure("Service", ns, target.service());
    }
    Map<String, String> selector = service.getSpec().getSelector();
    if (selector != null && pod.equals(selector.get(KubernetesLabels.POD_NAME))) {
      return;
    }
    resource.edit(s -> new ServiceBuilder(s)
        .editSpec().addToSelector(KubernetesLabels.POD_NAME, pod).endSpec()
        .build());
    log.info("Service {}/{} now selects pod {}", ns, target.service(), pod);
  }

  /** Idempotent: no write when the key already holds the pod's host. */
  @Override
  public void repointConfigMap(DatabaseTarget target, String pod) {
    ConfigMapRef ref = target.configMap();
    if (ref == null) {
      return;
    }
    String ns = target.namespace();
    var resource = client.configMaps().inNamespace(ns).withName(ref.name());
    ConfigMap configMap = resource.get();
    if (configMap == null) {
      throw MissingResource.failure("ConfigMap", ns, ref.name());
    }
    String host = ref.hostFor(pod);
    if (configMap.getData() != null && host.equals(configMap.getData().get(ref.key()))) {
      return;
    }
    resource.edit(c -> new ConfigMapBuilder(c).addToData(ref.key(), host).build());
    log.info("ConfigMap {}/{}: {}={}", ns, ref.name(), ref.key(), host);
  }

  /**
   * What {@code kubectl rollout restart} does (a new pod-template annotation rolls the pods), plus
   * the run's id on the template: a Deployment already restarted by this run is skipped. Every
   * Deployment is looked up before any is restarted, so a typo in the target restarts nothing.
   */
  @Override
  public List<String> restartDeployments(DatabaseTarget target, String runId) {
    String ns = target.namespace();
    List<Deployment> deployments = new ArrayList<>();
    for (String name : target.deployments()) {
      Deployment deployment = client.apps().deployments().inNamespace(ns).withName(name).get();
      if (deployment == null) {
        throw MissingResource.failure("Deployment", ns, name);
      }
      deployments.add(deployment);
    }
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    List<String> restarted = new ArrayList<>();
    for (Deployment deployment : deployments) {
      String name = deployment.getMetadata().getName();
      var template = deployment.getSpec().getTemplate();
      Map<String, String> annotations = template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
      if (runId.equals(annotation(annotations, KubernetesLabels.RESTARTED_BY))) {
        continue;
      }
      client.apps().deployments().inNamespace(ns).withName(name).edit(d -> new DeploymentBuilder(d)
          .editSpec().editTemplate().editOrNewMetadata()
          .addToAnnotations(KubernetesLabels.RESTARTED_BY, runId)
          .addToAnnotations(KubernetesLabels.RESTARTED_AT, now)
          .endMetadata().endTemplate().endSpec()
          .build());
      log.info("Deployment {}/{}: rollout restart for run {}", ns, name, runId);
      restarted.add(name);
    }
    return restarted;
  }

  private static String annotation(Map<String, String> annotations, String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
