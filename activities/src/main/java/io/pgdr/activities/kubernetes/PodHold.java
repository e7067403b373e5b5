package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a pod's server stopped while pgdr works on its data directory (a rejoin): the StatefulSet
 * lists the pod as held, then the pod that ran before is deleted, and the StatefulSet's new pod
 * waits in its start-up while it is listed. Which pod is "the one that ran before" is told by its
 * creation time against this activity's first scheduling, so a retry never deletes the held pod
 * an earlier attempt's deletion brought.
 */
final class PodHold {

  private static final Logger log = LoggerFactory.getLogger(PodHold.class);

  /** A StatefulSet recreates a deleted pod within seconds; past this, no pod is taken as no pod (a scale-down meanwhile). */
  private static final java.time.Duration REPLACEMENT_WITHIN = java.time.Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final Clock clock;
  private final Consumer<Object> heartbeat;

  PodHold(KubernetesClient client, Clock clock, Consumer<Object> heartbeat) {
    this.client = client;
    this.clock = clock;
    this.heartbeat = heartbeat;
  }

  DataVolume hold(DatabaseTarget target, String pod, String runId) {
    Instant since = firstScheduled();
    PodListAnnotation.edit(client, target, KubernetesLabels.HELD_PODS, pod, true);
    DataVolume volume = volumeOf(target, pod);
    String ns = target.namespace();
    Pod current = client.pods().inNamespace(ns).withName(pod).get();
    if (current != null && ranBefore(current, since) && current.getMetadata().getDeletionTimestamp() == null) {
      client.pods().inNamespace(ns).withName(pod).delete();
      log.info("pod {}/{} deleted for run {}: its server stops, and the StatefulSet's new pod waits while held", ns, pod, runId);
    }
    // a pod that ran comes back through its StatefulSet: its replacement is checked to be held
    boolean replaced = current != null;
    long replacementDue = System.nanoTime() + REPLACEMENT_WITHIN.toNanos();
    while (true) {
      Pod seen = client.pods().inNamespace(ns).withName(pod).get();
      if (seen == null && (!replaced || System.nanoTime() - replacementDue > 0)) {
        return volume; // no pod mounts the volume
      }
      if (seen == null) {
        WaitRound.pause(heartbeat, "waiting for the StatefulSet to bring pod " + pod + " back, held");
        continue;
      }
      if (!ranBefore(seen, since)) {
        if (runs(seen)) {
          // fail closed: pgdr never works on a data directory a server may be running on
          throw ApplicationFailure.newNonRetryableFailure("pod " + ns + "/" + pod + " runs although StatefulSet " + target.statefulSet()
              + " lists it in " + KubernetesLabels.HELD_PODS + ": its start-up does not honour the hold (docs/target.md), so pgdr left"
              + " its data alone; take it out of the annotation", FailureTypes.DATA_VOLUME_UNUSABLE);
        }
        return volume;
      }
      WaitRound.pause(heartbeat, "waiting for pod " + pod + " to stop (its server shuts down)");
    }
  }

  /** Whether the pod's containers run (not held in its start-up, where an init container waits while the pod is listed). */
  private static boolean runs(Pod pod) {
    var status = pod.getStatus();
    if (status == null) {
      return false;
    }
    return "Running".equals(status.getPhase()) || (status.getContainerStatuses() != null
        && status.getContainerStatuses().stream().anyMatch(c -> c.getState() != null && c.getState().getRunning() != null));
  }

  /**
   * Whether the pod was there before this hold began. The API server's creation times have whole
   * seconds: a pod created within the second before counts as new, so a held pod recreated at
   * once is never taken for the one to stop.
   */
  private static boolean ranBefore(Pod pod, Instant since) {
    String created = pod.getMetadata().getCreationTimestamp();
    return created == null || !Instant.parse(created).plusSeconds(1).isAfter(since);
  }

  /** When the first attempt of this activity was scheduled; outside an activity, now. */
  private Instant firstScheduled() {
    try {
      return Instant.ofEpochMilli(Activity.getExecutionContext().getInfo().getScheduledTimestamp());
    } catch (IllegalStateException notInActivity) {
      return clock.instant();
    }
  }

  /** The pod's claim from the StatefulSet's template, the volume bound to it, and where the worker reaches its files. */
  private DataVolume volumeOf(DatabaseTarget target, String pod) {
    String ns = target.namespace();
    String claimName = FreshVolume.claimTemplate(client, target).getMetadata().getName() + "-" + pod;
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    String bound = claim == null || claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
    if (bound == null || bound.isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("claim " + ns + "/" + claimName + " of pod " + pod + " is "
          + (claim == null ? "missing" : "not bound") + ": there is no data directory to bring back", FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    PersistentVolume volume = client.persistentVolumes().withName(bound).get();
    return new DataVolume(claimName, bound, volume == null ? null : FreshVolume.pathOf(volume), ns, target.statefulSet());
  }
}
