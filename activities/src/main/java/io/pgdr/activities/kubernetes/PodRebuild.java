package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod brought back on new, empty volumes without losing the old ones (runbook 000 C.4–C.6 deletes
 * the claim outright; pgdr keeps its volume first). The pod's claims are the StatefulSet's
 * volumeClaimTemplates named after the pod ({@code <template>-<pod>}), as the StatefulSet controller
 * names them, so they are found even when the pod is gone.
 */
final class PodRebuild {

  static final String RETAIN = "Retain";

  private static final Logger log = LoggerFactory.getLogger(PodRebuild.class);
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  // a pod younger than this may still be getting its claim from the StatefulSet controller
  private static final Duration STUCK_AFTER = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final Clock clock;
  private final Consumer<Object> heartbeat;

  PodRebuild(KubernetesClient client, Clock clock, Consumer<Object> heartbeat) {
    this.client = client;
    this.clock = clock;
    this.heartbeat = heartbeat;
  }

  /** Every claim looked up and found bound before any volume is patched, so a failure changes nothing. */
  List<KeptVolume> keepVolumes(DatabaseTarget target, String pod, String runId) {
    String ns = target.namespace();
    List<PersistentVolume> volumes = new ArrayList<>();
    List<String> claims = claimsOf(target, pod);
    for (String claimName : claims) {
      PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
      if (claim == null) {
        throw ApplicationFailure.newNonRetryableFailure("PersistentVolumeClaim " + ns + "/" + claimName + " not found: there is no"
            + " volume of " + pod + " to keep, so pgdr will not recreate it; look for its PersistentVolume by hand", FailureTypes.VOLUME_NOT_KEPT);
      }
      String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
      if (volumeName == null || volumeName.isBlank()) {
        throw ApplicationFailure.newNonRetryableFailure("PersistentVolumeClaim " + ns + "/" + claimName + " is not bound to a"
            + " volume (phase " + (claim.getStatus() == null ? "unknown" : claim.getStatus().getPhase()) + "): nothing to keep,"
            + " so pgdr will not recreate " + pod, FailureTypes.VOLUME_NOT_KEPT);
      }
      PersistentVolume volume = client.persistentVolumes().withName(volumeName).get();
      if (volume == null) {
        throw ApplicationFailure.newNonRetryableFailure("PersistentVolume " + volumeName + " of claim " + ns + "/" + claimName
            + " not found: nothing to keep, so pgdr will not recreate " + pod, FailureTypes.VOLUME_NOT_KEPT);
      }
      volumes.add(volume);
    }
    List<KeptVolume> kept = new ArrayList<>();
    for (int i = 0; i < claims.size(); i++) {
      PersistentVolume volume = volumes.get(i);
      String name = volume.getMetadata().getName();
      String recorded = annotation(volume.getMetadata().getAnnotations(), KubernetesLabels.RECLAIM_POLICY_BEFORE);
      String before = recorded != null ? recorded : Objects.requireNonNullElse(volume.getSpec().getPersistentVolumeReclaimPolicy(), "Delete");
      Map<String, Object> annotations = Map.of(
          KubernetesLabels.KEPT_BY, runId,
          KubernetesLabels.KEPT_CLAIM, ns + "/" + claims.get(i),
          KubernetesLabels.RECLAIM_POLICY_BEFORE, before);
      client.persistentVolumes().withName(name).patch(MERGE, json(Map.of(
          "metadata", Map.of("annotations", annotations),
          "spec", Map.of("persistentVolumeReclaimPolicy", RETAIN))));
      log.info("PersistentVolume {} of claim {}/{}: reclaim policy Retain (was {}) for run {}", name, ns, claims.get(i), before, runId);
      kept.add(new KeptVolume(claims.get(i), name, before));
    }
    return kept;
  }

  void recreatePod(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId) {
    String ns = target.namespace();
    Map<String, KeptVolume> byClaim = new HashMap<>();
    kept.forEach(k -> byClaim.put(k.claim(), k));
    List<String> toDelete = new ArrayList<>();
    for (String claimName : claimsOf(target, pod)) {
      KeptVolume keptVolume = byClaim.get(claimName);
      if (keptVolume == null) {
        throw ApplicationFailure.newNonRetryableFailure("claim " + ns + "/" + claimName + " of " + pod + " was not kept before:"
            + " pgdr deletes no claim whose volume it has not set to Retain", FailureTypes.VOLUME_NOT_KEPT);
      }
      PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
      if (claim == null || !keptVolume.volume().equals(claim.getSpec().getVolumeName())) {
        continue; // deleted by an earlier attempt, or already recreated on a new volume
      }
      PersistentVolume volume = client.persistentVolumes().withName(keptVolume.volume()).get();
      if (volume == null || !RETAIN.equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
        throw ApplicationFailure.newNonRetryableFailure("PersistentVolume " + keptVolume.volume() + " is no longer set to Retain"
            + " (someone changed it since pgdr kept it): claim " + ns + "/" + claimName + " is not deleted", FailureTypes.VOLUME_NOT_KEPT);
      }
      toDelete.add(claimName);
    }
    var podResource = client.pods().inNamespace(ns).withName(pod);
    if (!toDelete.isEmpty() && podResource.get() != null) {
      // the mark tells a retry which pod is the old one: the StatefulSet's replacement never carries it
      podResource.patch(MERGE, json(Map.of("metadata", Map.of("annotations", Map.of(KubernetesLabels.RECREATED_BY, runId)))));
    }
    for (String claimName : toDelete) {
      client.persistentVolumeClaims().inNamespace(ns).withName(claimName).delete();
      log.info("PersistentVolumeClaim {}/{} deleted for run {}; its volume {} is kept", ns, claimName, runId, byClaim.get(claimName).volume());
    }
    Pod current = podResource.get();
    if (current != null && runId.equals(annotation(current.getMetadata().getAnnotations(), KubernetesLabels.RECREATED_BY))) {
      podResource.delete();
      log.info("pod {}/{} deleted for run {}: the StatefulSet recreates it on new volumes", ns, pod, runId);
    }
  }

  PodState awaitPodReady(DatabaseTarget target, String pod, List<KeptVolume> kept) {
    String ns = target.namespace();
    List<String> keptVolumes = kept.stream().map(KeptVolume::volume).toList();
    Instant lastDeleted = Instant.EPOCH;
    while (true) {
      Pod current = client.pods().inNamespace(ns).withName(pod).get();
      String seen = "not created yet";
      if (current != null && current.getMetadata().getDeletionTimestamp() == null) {
        boolean onNewVolumes = claimsOf(target, pod).stream().allMatch(claimName -> onNewVolume(ns, claimName, keptVolumes));
        StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).get();
        FencedPods fenced = FencedPods.from(sts == null ? null : sts.getMetadata().getAnnotations(), KubernetesLabels.FENCED_PODS);
        PodState state = ClusterReader.podState(target, current, fenced);
        if (state.ready() && onNewVolumes) {
          log.info("pod {}/{} is ready on new volumes", ns, pod);
          return state;
        }
        seen = state.phase() + (state.ready() ? ", ready" : ", not ready") + (onNewVolumes ? "" : ", claims not yet on new volumes");
        Instant now = clock.instant();
        if (!onNewVolumes && "Pending".equals(state.phase()) && olderThan(current, STUCK_AFTER, now)
            && lastDeleted.plus(STUCK_AFTER).isBefore(now)) {
          // created while its old claim was still being deleted: it would wait for that claim forever
          log.info("pod {}/{} is Pending on a claim that is going away; deleting it so the StatefulSet recreates it", ns, pod);
          client.pods().inNamespace(ns).withName(pod).delete();
          lastDeleted = now;
        }
      }
      WaitRound.pause(heartbeat, "waiting for pod " + pod + ": " + seen);
    }
  }

  private boolean onNewVolume(String ns, String claimName, List<String> keptVolumes) {
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    if (claim == null || claim.getMetadata().getDeletionTimestamp() != null || claim.getSpec() == null) {
      return false;
    }
    String volume = claim.getSpec().getVolumeName();
    return volume != null && !volume.isBlank() && !keptVolumes.contains(volume);
  }

  /** {@code <template>-<pod>} for each of the StatefulSet's volumeClaimTemplates. */
  private List<String> claimsOf(DatabaseTarget target, String pod) {
    String ns = target.namespace();
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).get();
    if (sts == null) {
      throw MissingResource.failure("StatefulSet", ns, target.statefulSet());
    }
    var templates = sts.getSpec().getVolumeClaimTemplates();
    if (templates == null || templates.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("StatefulSet " + ns + "/" + target.statefulSet() + " has no"
          + " volumeClaimTemplates: pgdr cannot tell which volume holds " + pod + "'s data, so it recreates nothing", FailureTypes.VOLUME_NOT_KEPT);
    }
    return templates.stream().map(t -> t.getMetadata().getName() + "-" + pod).toList();
  }

  private static boolean olderThan(Pod pod, Duration age, Instant now) {
    String created = pod.getMetadata().getCreationTimestamp();
    return created != null && Instant.parse(created).plus(age).isBefore(now);
  }

  private String json(Map<String, Object> patch) {
    return client.getKubernetesSerialization().asJson(patch);
  }

  private static String annotation(Map<String, String> annotations, String key) {
    return annotations == null ? null : annotations.get(key);
  }
}
