package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stopped pod's data claim moved to a new, empty volume, its old volume kept (Retain): what a
 * point-in-time recovery restores into, so the data it replaces stays whole until someone deletes it.
 * The claim is recreated from the StatefulSet's volumeClaimTemplate under the name the StatefulSet
 * controller gives it ({@code <template>-<pod>}), so the pod, once scaled back, mounts it.
 */
final class FreshVolume {

  private static final Logger log = LoggerFactory.getLogger(FreshVolume.class);

  private static final String DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

  private final KubernetesClient client;
  private final Consumer<Object> heartbeat;

  FreshVolume(KubernetesClient client, Consumer<Object> heartbeat) {
    this.client = client;
    this.heartbeat = heartbeat;
  }

  DataVolume give(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId) {
    String ns = target.namespace();
    PersistentVolumeClaim template = claimTemplate(client, target);
    String claimName = template.getMetadata().getName() + "-" + pod;
    if (client.pods().inNamespace(ns).withName(pod).get() != null) {
      throw unusable("pod " + ns + "/" + pod + " still exists: its volume is swapped only while the database is stopped");
    }
    List<String> keptVolumes = kept.stream().map(KeptVolume::volume).toList();
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    String bound = claim == null || claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
    if (claim != null && bound != null && keptVolumes.contains(bound)) {
      PersistentVolume old = client.persistentVolumes().withName(bound).get();
      if (old == null || !PodRebuild.RETAIN.equals(old.getSpec().getPersistentVolumeReclaimPolicy())) {
        throw ApplicationFailure.newNonRetryableFailure("PersistentVolume " + bound + " is no longer set to Retain (someone changed it"
            + " since pgdr kept it): claim " + ns + "/" + claimName + " is not deleted", FailureTypes.VOLUME_NOT_KEPT);
      }
      client.persistentVolumeClaims().inNamespace(ns).withName(claimName).delete();
      log.info("PersistentVolumeClaim {}/{} deleted for run {}; its volume {} is kept", ns, claimName, runId, bound);
      claim = null;
    } else if (claim != null && (bound == null || bound.isBlank()) && !runId.equals(annotation(claim, KubernetesLabels.RECREATED_BY))) {
      throw unusable("PersistentVolumeClaim " + ns + "/" + claimName + " is not bound and was not made by this run: pgdr leaves it alone");
    } else if (claim != null && !keptVolumes.contains(bound) && !runId.equals(annotation(claim, KubernetesLabels.RECREATED_BY))) {
      throw unusable("PersistentVolumeClaim " + ns + "/" + claimName + " is bound to " + bound + ", which pgdr did not keep"
          + " and this run did not ask for: pgdr writes only into a volume it had provisioned");
    }
    while (claim != null && claim.getMetadata().getDeletionTimestamp() != null) {
      WaitRound.pause(heartbeat, "waiting for claim " + claimName + " to be deleted");
      claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    }
    if (claim == null) {
      Map<String, String> annotations = new HashMap<>();
      if (template.getMetadata().getAnnotations() != null) {
        annotations.putAll(template.getMetadata().getAnnotations());
      }
      annotations.put(KubernetesLabels.RECREATED_BY, runId);
      client.persistentVolumeClaims().inNamespace(ns).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName(claimName).withNamespace(ns).withLabels(template.getMetadata().getLabels())
            .withAnnotations(annotations).endMetadata()
          .withSpec(new PersistentVolumeClaimBuilder().withSpec(template.getSpec()).build().getSpec())
          .build()).create();
      log.info("PersistentVolumeClaim {}/{} created again from the StatefulSet's template for run {}", ns, claimName, runId);
    }
    boolean bindsWhenMounted = bindsOnFirstConsumer(template.getSpec() == null ? null : template.getSpec().getStorageClassName());
    while (true) {
      claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
      String volumeName = claim == null || claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
      boolean isBound = claim != null && claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase());
      if (isBound && volumeName != null && !volumeName.isBlank() && !keptVolumes.contains(volumeName)) {
        PersistentVolume volume = client.persistentVolumes().withName(volumeName).get();
        if (volume != null) {
          return new DataVolume(claimName, volumeName, pathOf(volume), ns, target.statefulSet());
        }
      }
      if (!isBound && bindsWhenMounted) {
        // nothing binds it before a pod mounts it: the restore's pod will, wherever the scheduler puts it
        return new DataVolume(claimName, null, null, ns, target.statefulSet());
      }
      WaitRound.pause(heartbeat, "waiting for claim " + claimName + " to be bound to a new volume");
    }
  }

  /** The StatefulSet's one volumeClaimTemplate: pgdr works on pods with exactly one data volume. */
  static PersistentVolumeClaim claimTemplate(KubernetesClient client, DatabaseTarget target) {
    String ns = target.namespace();
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).get();
    if (sts == null) {
      throw MissingResource.failure("StatefulSet", ns, target.statefulSet());
    }
    return claimTemplate(sts, target);
  }

  /** The one volumeClaimTemplate of the target's StatefulSet {@code sts}: its pods' data volume. */
  static PersistentVolumeClaim claimTemplate(StatefulSet sts, DatabaseTarget target) {
    String ns = target.namespace();
    var templates = sts.getSpec().getVolumeClaimTemplates();
    if (templates == null || templates.size() != 1) {
      throw unusable("StatefulSet " + ns + "/" + target.statefulSet() + " has " + (templates == null ? 0 : templates.size())
          + " volumeClaimTemplates: pgdr works on StatefulSets whose pods have exactly one data volume");
    }
    return templates.get(0);
  }

  /**
   * Whether the claim's StorageClass (the cluster's default one when the template names none)
   * provisions only once a pod uses the claim ({@code volumeBindingMode: WaitForFirstConsumer}).
   * An empty class name means static binding, never that.
   */
  private boolean bindsOnFirstConsumer(String storageClass) {
    if (storageClass != null && storageClass.isEmpty()) {
      return false;
    }
    return client.storage().v1().storageClasses().list().getItems().stream()
        .filter(sc -> storageClass != null ? storageClass.equals(sc.getMetadata().getName())
            : sc.getMetadata().getAnnotations() != null && "true".equals(sc.getMetadata().getAnnotations().get(DEFAULT_CLASS)))
        .anyMatch(sc -> "WaitForFirstConsumer".equals(sc.getVolumeBindingMode()));
  }

  /**
   * Where a worker on the volume's node reaches its files: a hostPath or local volume's path; null
   * for any other kind, which only a pod mounting the claim reaches.
   */
  static String pathOf(PersistentVolume volume) {
    var spec = volume.getSpec();
    if (spec.getHostPath() != null) {
      return spec.getHostPath().getPath();
    }
    return spec.getLocal() != null ? spec.getLocal().getPath() : null;
  }

  private static String annotation(PersistentVolumeClaim claim, String key) {
    var annotations = claim.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static ApplicationFailure unusable(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.DATA_VOLUME_UNUSABLE);
  }
}
