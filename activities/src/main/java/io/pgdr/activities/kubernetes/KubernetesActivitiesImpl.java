package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionIntent;
import io.pgdr.target.ConfigMapRef;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KubernetesActivities} through fabric8. Writes are JSON merge patches of just the keys pgdr
 * owns (an annotation, a selector key, a ConfigMap key), so fields pgdr does not own are kept, and
 * a patch that sets what is already there changes nothing on the API server (the
 * resourceVersion stays): a retried activity writes nothing twice. Where a write depends
 * on what is there (the fenced-pods list, "restarted by this run"), it is read first and the patch
 * carries the resourceVersion read, so a concurrent change makes it fail (409) instead of being lost.
 * One round trip per write: no read where the patch alone says it all.
 */
public final class KubernetesActivitiesImpl implements KubernetesActivities {

  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  // merge patches of maps only: the mock API server in the lab appends to lists on a merge patch
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final int CONFLICT_ATTEMPTS = 3;
  // image pulls and readiness probes of a few pods: minutes at most; longer means something is wrong
  static final Duration WRITERS_READY_WITHIN = Duration.ofMinutes(5);

  private final KubernetesClient client;
  private final Clock clock;
  private final ClusterReader reader;
  private final PodRebuild rebuild;
  private final FreshVolume freshVolume;
  private final PodHold hold;
  private final ScratchInstance scratch;
  private final Duration writersReadyWithin;
  private final Consumer<Object> heartbeat;

  public KubernetesActivitiesImpl(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  public KubernetesActivitiesImpl(KubernetesClient client, Clock clock) {
    this(client, clock, WRITERS_READY_WITHIN, new ActivityHeartbeat());
  }

  KubernetesActivitiesImpl(KubernetesClient client, Clock clock, Duration writersReadyWithin, Consumer<Object> heartbeat) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.reader = new ClusterReader(client);
    this.rebuild = new PodRebuild(client, clock, heartbeat);
    this.freshVolume = new FreshVolume(client, heartbeat);
    this.hold = new PodHold(client, clock, heartbeat);
    this.scratch = new ScratchInstance(client, heartbeat);
    this.writersReadyWithin = writersReadyWithin;
    this.heartbeat = heartbeat;
  }

  @Override
  public ClusterState describeCluster(DatabaseTarget target) {
    return answered("describe cluster", () -> reader.read(target));
  }

  @Override
  public Map<String, List<String>> podLogs(DatabaseTarget target, List<String> pods, int lines) {
    Map<String, List<String>> logs = new java.util.LinkedHashMap<>();
    for (String pod : pods) {
      logs.put(pod, answered("read the log of pod " + pod, () -> PodLog.tail(client, target.namespace(), pod, lines)));
    }
    return logs;
  }

  @Override
  public String configMapValue(DatabaseTarget target, String configMap, String key) {
    return answered("read ConfigMap " + configMap, () -> {
      ConfigMap map = client.configMaps().inNamespace(target.namespace()).withName(configMap).get();
      if (map == null) {
        throw MissingResource.failure("ConfigMap", target.namespace(), configMap);
      }
      return map.getData() == null ? null : map.getData().get(key);
    });
  }

  @Override
  public String setConfigMapValue(DatabaseTarget target, String configMap, String key, String value, String runId) {
    return answered("set " + key + " in ConfigMap " + configMap, () -> {
      String ns = target.namespace();
      ConfigMap map = client.configMaps().inNamespace(ns).withName(configMap).get();
      if (map == null) {
        throw MissingResource.failure("ConfigMap", ns, configMap);
      }
      String recordKey = KubernetesLabels.VALUE_BEFORE + key;
      String recorded = annotation(map.getMetadata().getAnnotations(), recordKey);
      String before;
      String current = map.getData() == null ? null : map.getData().get(key);
      String recordedBefore = recorded == null || recorded.indexOf('=') < 0 || recorded.endsWith("=") ? null
          : recorded.substring(recorded.indexOf('=') + 1);
      if (recorded != null && recorded.startsWith(runId + "=")) {
        before = recordedBefore; // an earlier attempt of this run changed it
      } else if (recordedBefore != null && !recordedBefore.equals(current)) {
        before = recordedBefore; // an earlier run raised it and nobody put it back: the original stays the one to return to
      } else {
        before = current;
      }
      Map<String, Object> patch = new java.util.HashMap<>();
      patch.put("metadata", Map.of("annotations", Map.of(recordKey, runId + "=" + (before == null ? "" : before))));
      patch.put("data", Map.of(key, value));
      client.configMaps().inNamespace(ns).withName(configMap).patch(MERGE, json(patch));
      log.info("ConfigMap {}/{}: {} = {} (was {}) for run {}", ns, configMap, key, value, before, runId);
      return before;
    });
  }

  @Override
  public String podUsage(DatabaseTarget target, String pod) {
    return answered("read the metrics of pod " + pod, () -> PodUsage.of(client, target.namespace(), pod));
  }

  @Override
  public boolean restartPod(DatabaseTarget target, String pod, String runId) {
    return answered("restart pod " + pod, () -> {
      String ns = target.namespace();
      StatefulSet sts = statefulSetOf(target);
      String recorded = annotation(sts.getMetadata().getAnnotations(), KubernetesLabels.RESTARTED_POD);
      var podResource = client.pods().inNamespace(ns).withName(pod);
      Pod current = podResource.get();
      String prefix = runId + "/" + pod + "/";
      if (recorded != null && recorded.startsWith(prefix)) {
        if (current == null || !recorded.equals(prefix + current.getMetadata().getUid())) {
          return false; // deleted by an earlier attempt: this is its replacement, or it is still being recreated
        }
      } else {
        if (current == null) {
          return false; // gone already: the StatefulSet is recreating it
        }
        client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).patch(MERGE, json(Map.of("metadata",
            Map.of("annotations", Map.of(KubernetesLabels.RESTARTED_POD, prefix + current.getMetadata().getUid())))));
      }
      podResource.delete();
      log.info("pod {}/{} deleted for run {}: the StatefulSet starts it again on its volumes", ns, pod, runId);
      return true;
    });
  }

  /**
   * Idempotent: the annotation is a set, and the pod annotation is a merge patch of one key. Two or
   * three round trips: read the StatefulSet, add the pod to its list unless it is there (the patch
   * carries the resourceVersion read; a concurrent change is re-read, a few times), patch the pod.
   */
  @Override
  public void fencePod(DatabaseTarget target, String pod, String runId) {
    answered("fence pod", () -> {
      String ns = target.namespace();
      PodListAnnotation.edit(client, target, KubernetesLabels.FENCED_PODS, pod, true);
      try {
        client.pods().inNamespace(ns).withName(pod).patch(MERGE,
            json(Map.of("metadata", Map.of("annotations", Map.of(KubernetesLabels.FENCED_BY, runId)))));
      } catch (KubernetesClientException e) {
        // A pod that is gone (node lost) is fenced by the StatefulSet annotation alone.
        if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
      }
    });
  }

  /** Idempotent: one merge patch of one annotation; the same record written again changes nothing. */
  @Override
  public void recordPromotionIntent(DatabaseTarget target, PromotionIntent intent) {
    String ns = target.namespace();
    try {
      client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).patch(MERGE,
          json(Map.of("metadata", Map.of("annotations", Map.of(KubernetesLabels.PROMOTION, client.getKubernetesSerialization().asJson(intent))))));
    } catch (KubernetesClientException e) {
      throw missingOr(e, "StatefulSet", ns, target.statefulSet());
    }
    log.info("StatefulSet {}/{}: run {} promotes {}", ns, target.statefulSet(), intent.runId(), intent.pod());
  }

  /** Idempotent: one merge patch of the selector key; when it already names the pod, nothing is written. */
  @Override
  public void repointService(DatabaseTarget target, String pod) {
    answered("repoint Service", () -> {
      String ns = target.namespace();
      try {
        client.services().inNamespace(ns).withName(target.service()).patch(MERGE,
            json(Map.of("spec", Map.of("selector", Map.of(KubernetesLabels.POD_NAME, pod)))));
      } catch (KubernetesClientException e) {
        throw missingOr(e, "Service", ns, target.service());
      }
      log.info("Service {}/{} selects pod {}", ns, target.service(), pod);
    });
  }

  /** Idempotent: one merge patch of the key; when it already holds the pod's host, nothing is written. */
  @Override
  public void repointConfigMap(DatabaseTarget target, String pod) {
    answered("repoint ConfigMap", () -> {
      ConfigMapRef ref = target.configMap();
      if (ref == null) {
        return;
      }
      String ns = target.namespace();
      String host = ref.hostFor(pod);
      try {
        client.configMaps().inNamespace(ns).withName(ref.name()).patch(MERGE,
            json(Map.of("data", Map.of(ref.key(), host))));
      } catch (KubernetesClientException e) {
        throw missingOr(e, "ConfigMap", ns, ref.name());
      }
      log.info("ConfigMap {}/{}: {}={}", ns, ref.name(), ref.key(), host);
    });
  }

  /**
   * What {@code kubectl rollout restart} does (a new pod-template annotation rolls the pods), plus
   * the run's id on the template: a Deployment already restarted by this run is skipped. Every
   * Deployment is looked up before any is restarted, so a typo in the target restarts nothing.
   */
  @Override
  public List<String> restartDeployments(DatabaseTarget target, String runId) {
    return answered("restart Deployments", () -> {
      String ns = target.namespace();
      List<Deployment> deployments = deploymentsOf(target);
      String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
      List<String> restarted = new ArrayList<>();
      for (Deployment deployment : deployments) {
        String name = deployment.getMetadata().getName();
        var template = deployment.getSpec().getTemplate();
        Map<String, String> annotations = template.getMetadata() == null ? null : template.getMetadata().getAnnotations();
        if (runId.equals(annotation(annotations, KubernetesLabels.RESTARTED_BY))) {
          continue;
        }
        // carries the resourceVersion read: a Deployment changed since is not restarted blindly (409, retried)
        client.apps().deployments().inNamespace(ns).withName(name).patch(MERGE, json(Map.of(
            "metadata", Map.of("resourceVersion", deployment.getMetadata().getResourceVersion()),
            "spec", Map.of("template", Map.of("metadata", Map.of("annotations", Map.of(
                KubernetesLabels.RESTARTED_BY, runId,
                KubernetesLabels.RESTARTED_AT, now)))))));
        log.info("Deployment {}/{}: rollout restart for run {}", ns, name, runId);
        restarted.add(name);
      }
      return restarted;
    });
  }

  /**
   * {@code kubectl scale --replicas=0}, with the count before kept on the Deployment in the same
   * patch, so it survives a lost worker and a failed run. A Deployment already carrying the
   * annotation was stopped earlier: its remembered count stands.
   */
  @Override
  public Map<String, Integer> stopWriters(DatabaseTarget target, String runId) {
    return answered("stop writers", () -> {
      String ns = target.namespace();
      Map<String, Integer> before = new LinkedHashMap<>();
      for (Deployment deployment : deploymentsOf(target)) {
        String name = deployment.getMetadata().getName();
        String remembered = annotation(deployment.getMetadata().getAnnotations(), KubernetesLabels.REPLICAS_BEFORE);
        Integer replicas = deployment.getSpec().getReplicas();
        int count = remembered != null ? Integer.parseInt(remembered) : replicas == null ? 1 : replicas;
        before.put(name, count);
        if (remembered != null && Integer.valueOf(0).equals(replicas)) {
          continue;
        }
        client.apps().deployments().inNamespace(ns).withName(name).patch(MERGE, json(Map.of(
            "metadata", Map.of("annotations", Map.of(
                KubernetesLabels.REPLICAS_BEFORE, String.valueOf(count),
                KubernetesLabels.STOPPED_BY, runId)),
            "spec", Map.of("replicas", 0))));
        log.info("Deployment {}/{}: scaled to 0 (was {}) for run {}", ns, name, count, runId);
      }
      return before;
    });
  }

  /** Scales back and drops pgdr's annotations (a merge patch's null removes a key). */
  @Override
  public void restartWriters(DatabaseTarget target, Map<String, Integer> replicas) {
    answered("restart writers", () -> {
      String ns = target.namespace();
      for (Deployment deployment : deploymentsOf(target)) {
        String name = deployment.getMetadata().getName();
        Integer count = replicas.get(name);
        if (count == null) {
          continue;
        }
        Map<String, Object> annotations = new HashMap<>();
        annotations.put(KubernetesLabels.REPLICAS_BEFORE, null);
        annotations.put(KubernetesLabels.STOPPED_BY, null);
        client.apps().deployments().inNamespace(ns).withName(name).patch(MERGE, json(Map.of(
            "metadata", Map.of("annotations", annotations),
            "spec", Map.of("replicas", count))));
        log.info("Deployment {}/{}: scaled back to {}", ns, name, count);
      }
    });
  }

  /** Reads the Deployments' status once a second; the clock decides when to give up. */
  @Override
  public Map<String, Integer> awaitWritersReady(DatabaseTarget target, Map<String, Integer> replicas) {
    return answered("await writers", () -> {
      Instant deadline = Instant.now(clock).plus(writersReadyWithin);
      while (true) {
        Map<String, Integer> ready = new LinkedHashMap<>();
        List<String> notReady = new ArrayList<>();
        for (Deployment deployment : deploymentsOf(target)) {
          String name = deployment.getMetadata().getName();
          Integer wanted = replicas.get(name);
          if (wanted == null) {
            continue;
          }
          var status = deployment.getStatus();
          int count = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
          ready.put(name, count);
          if (count < wanted) {
            notReady.add(name + " " + count + "/" + wanted + " ready");
          }
        }
        if (notReady.isEmpty()) {
          log.info("writers ready: {}", ready);
          return ready;
        }
        if (!Instant.now(clock).isBefore(deadline)) {
          throw ApplicationFailure.newNonRetryableFailure("after " + writersReadyWithin.toMinutes() + " min: " + String.join(", ", notReady)
              + "; look at their pods' events and logs (kubectl describe / logs)", FailureTypes.WRITERS_NOT_READY);
        }
        WaitRound.pause(heartbeat, "waiting for writers: " + String.join(", ", notReady));
      }
    });
  }

  @Override
  public List<KeptVolume> keepVolumes(DatabaseTarget target, String pod, String runId) {
    return answered("keep volumes", () -> rebuild.keepVolumes(target, pod, runId));
  }

  @Override
  public void recreatePod(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId) {
    answered("recreate pod", () -> rebuild.recreatePod(target, pod, kept, runId));
  }

  @Override
  public PodState awaitPodReady(DatabaseTarget target, String pod, List<KeptVolume> kept) {
    return answered("await pod", () -> rebuild.awaitPodReady(target, pod, kept));
  }

  /**
   * {@code kubectl scale statefulset --replicas=0}, the count before kept on the StatefulSet in the
   * same patch; then waits until its pods are gone (the controller deletes them from the highest
   * ordinal down), so no server writes to their volumes any more.
   */
  @Override
  public int stopDatabase(DatabaseTarget target, String runId) {
    return answered("stop the database", () -> {
      String ns = target.namespace();
      StatefulSet sts = statefulSetOf(target);
      var retention = sts.getSpec().getPersistentVolumeClaimRetentionPolicy();
      if (retention != null && "Delete".equals(retention.getWhenScaled())) {
        // scaling down would delete the claims of the pods it removes, and with Delete volumes their data
        throw ApplicationFailure.newNonRetryableFailure("StatefulSet " + ns + "/" + target.statefulSet() + " has"
            + " persistentVolumeClaimRetentionPolicy.whenScaled: Delete: scaling it to 0 would delete its pods' claims. Set it to"
            + " Retain, then run again; nothing was changed", FailureTypes.DATA_VOLUME_UNUSABLE);
      }
      String remembered = annotation(sts.getMetadata().getAnnotations(), KubernetesLabels.REPLICAS_BEFORE);
      Integer replicas = sts.getSpec().getReplicas();
      int before = remembered != null ? Integer.parseInt(remembered) : replicas == null ? 1 : replicas;
      if (remembered == null || !Integer.valueOf(0).equals(replicas)) {
        client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).patch(MERGE, json(Map.of(
            "metadata", Map.of("annotations", Map.of(KubernetesLabels.REPLICAS_BEFORE, String.valueOf(before), KubernetesLabels.STOPPED_BY, runId)),
            "spec", Map.of("replicas", 0))));
        log.info("StatefulSet {}/{}: scaled to 0 (was {}) for run {}", ns, target.statefulSet(), before, runId);
      }
      while (true) {
        List<String> left = new ArrayList<>();
        for (int ordinal = 0; ordinal < Math.max(before, 1); ordinal++) {
          String pod = target.statefulSet() + "-" + ordinal;
          if (client.pods().inNamespace(ns).withName(pod).get() != null) {
            left.add(pod);
          }
        }
        if (left.isEmpty()) {
          return before;
        }
        WaitRound.pause(heartbeat, "waiting for " + String.join(", ", left) + " to stop");
      }
    });
  }

  @Override
  public DataVolume freshVolume(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId) {
    return answered("give " + pod + " a new volume", () -> freshVolume.give(target, pod, kept, runId));
  }

  @Override
  public DataVolume holdPod(DatabaseTarget target, String pod, String runId) {
    return answered("hold pod " + pod, () -> hold.hold(target, pod, runId));
  }

  @Override
  public void releasePod(DatabaseTarget target, String pod) {
    answered("release pod " + pod, () -> {
      PodListAnnotation.edit(client, target, KubernetesLabels.HELD_PODS, pod, false);
    });
  }

  @Override
  public void unfencePod(DatabaseTarget target, String pod) {
    answered("lift the fence of pod " + pod, () -> {
      PodListAnnotation.edit(client, target, KubernetesLabels.FENCED_PODS, pod, false);
      var podResource = client.pods().inNamespace(target.namespace()).withName(pod);
      var current = podResource.get();
      if (current != null && annotation(current.getMetadata().getAnnotations(), KubernetesLabels.FENCED_BY) != null) {
        podResource.patch(PatchContext.of(PatchType.JSON), json(List.of(Map.of("op", "remove", "path",
            "/metadata/annotations/" + KubernetesLabels.FENCED_BY.replace("/", "~1")))));
      }
    });
  }

  @Override
  public void startDatabase(DatabaseTarget target, int replicas) {
    answered("start the database", () -> {
      statefulSetOf(target);
      Map<String, Object> annotations = new HashMap<>();
      annotations.put(KubernetesLabels.REPLICAS_BEFORE, null);
      annotations.put(KubernetesLabels.STOPPED_BY, null);
      client.apps().statefulSets().inNamespace(target.namespace()).withName(target.statefulSet()).patch(MERGE, json(Map.of(
          "metadata", Map.of("annotations", annotations), "spec", Map.of("replicas", replicas))));
      log.info("StatefulSet {}/{}: scaled to {}", target.namespace(), target.statefulSet(), replicas);
    });
  }

  @Override
  public PostgresServer createScratchInstance(DatabaseTarget target, String name, String runId) {
    return answered("create the drill's scratch StatefulSet " + name, () -> scratch.create(target, name, runId));
  }

  @Override
  public boolean deleteScratchInstance(DatabaseTarget target, String name, String runId) {
    return answered("delete the drill's scratch StatefulSet " + name, () -> scratch.delete(target, name, runId));
  }

  private StatefulSet statefulSetOf(DatabaseTarget target) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(target.namespace()).withName(target.statefulSet()).get();
    if (sts == null) {
      throw MissingResource.failure("StatefulSet", target.namespace(), target.statefulSet());
    }
    return sts;
  }

  /**
   * Runs one activity's calls; an API server that did not answer becomes a failure naming it and
   * the resource ({@link ApiUnreachable}), anything else is thrown as it is.
   */
  private <T> T answered(String action, Supplier<T> calls) {
    try {
      return calls.get();
    } catch (KubernetesClientException e) {
      throw ApiUnreachable.orSelf(e, action, client.getMasterUrl().toString());
    }
  }

  private void answered(String action, Runnable calls) {
    answered(action, () -> {
      calls.run();
      return null;
    });
  }

  /** The target's Deployments, all looked up before any is changed, so a typo changes nothing. */
  private List<Deployment> deploymentsOf(DatabaseTarget target) {
    String ns = target.namespace();
    List<Deployment> deployments = new ArrayList<>();
    for (String name : target.deployments()) {
      Deployment deployment = client.apps().deployments().inNamespace(ns).withName(name).get();
      if (deployment == null) {
        throw MissingResource.failure("Deployment", ns, name);
      }
      deployments.add(deployment);
    }
    return deployments;
  }

  private String json(Object patch) {
    return client.getKubernetesSerialization().asJson(patch);
  }

  /** A 404 on a patch is the resource the target names being absent; anything else is rethrown. */
  private static RuntimeException missingOr(KubernetesClientException e, String kind, String ns, String name) {
    return e.getCode() == HttpURLConnection.HTTP_NOT_FOUND ? MissingResource.failure(kind, ns, name) : e;
  }

  private static String annotation(Map<String, String> annotations, String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
