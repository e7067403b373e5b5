package io.pgdr.ports;

import io.pgdr.target.DatabaseTarget;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Kubernetes work for a target, through the API server. */
@ActivityInterface
public interface KubernetesActivities {

  /**
   * Reads, fences and repoints on the outage's critical path run as local activities: in the
   * worker, within the workflow task, with no task-queue round trip and no workflow task per call.
   * A worker lost mid-call means the next worker calls again, which these tolerate (reads, and
   * idempotent writes). A silent API server fails each call within 13 s, so a diagnosis fails in
   * under a minute, naming it.
   */
  CallOptions CRITICAL_PATH = CallOptions.local(Duration.ofSeconds(15), Duration.ofSeconds(60), 3, Duration.ofMillis(500));
  /** Other API calls are quick too; a retry rides out an API server hiccup, and a lost worker costs at most 15 s. */
  CallOptions API_CALL = CallOptions.activity(Duration.ofSeconds(15), 5, Duration.ofMillis(500));
  /**
   * Waiting for the cluster: a recreated pod (scheduling, volume provisioning, image pull, a fresh
   * server's first start) or writers scaled back take minutes on a real cluster. The wait
   * heartbeats every poll, so a lost worker is noticed in seconds and another waits on.
   */
  CallOptions WAIT = CallOptions.heartbeating(Duration.ofMinutes(15), 3, Duration.ofSeconds(1));
  /**
   * A rejoin's last quick calls (a held pod let start, a fence lifted): as quick as any API call, and
   * a lost worker is noticed by the heartbeat timeout in seconds, not after the 15 s an API call may take.
   */
  CallOptions RELEASE = CallOptions.heartbeating(Duration.ofSeconds(30), 5, Duration.ofMillis(500));

  CallTable<KubernetesActivities> CALLS = CallTable.of(KubernetesActivities.class)
      .calls(CRITICAL_PATH, "describeCluster", "configMapValue", "fencePod", "recordPromotionIntent", "repointService", "repointConfigMap")
      .calls(API_CALL, "podLogs", "podUsage", "restartPod", "setConfigMapValue", "restartDeployments", "stopWriters", "restartWriters", "keepVolumes", "recreatePod", "startDatabase")
      .calls(RELEASE, "releasePod", "unfencePod")
      .calls(WAIT, "awaitWritersReady", "awaitPodReady", "stopDatabase", "freshVolume", "holdPod", "createScratchInstance",
          "deleteScratchInstance")
      .build();

  /** StatefulSet, pods with their endpoints, claims, Service selector and warning events. Read-only. */
  @ActivityMethod
  ClusterState describeCluster(DatabaseTarget target);

  /**
   * The last {@code lines} lines of each pod's log ({@code kubectl logs --tail}), by pod. A pod whose
   * log the API server does not give has one line saying why, so one missing log never hides the
   * others. Read-only.
   */
  @ActivityMethod
  Map<String, List<String>> podLogs(DatabaseTarget target, List<String> pods, int lines);

  /** The value of {@code key} in ConfigMap {@code configMap} of the target's namespace; null when the key is absent. Read-only. */
  @ActivityMethod
  String configMapValue(DatabaseTarget target, String configMap, String key);

  /**
   * Sets {@code key} of ConfigMap {@code configMap} to {@code value}, recording the value before on
   * the ConfigMap ({@link KubernetesLabels#VALUE_BEFORE} + key: {@code runId=value}) in the same
   * patch, so it can be put back. Idempotent: a record this run made already stands, so a retry
   * never records its own value as the one before.
   *
   * @return the value before this run changed it; null when the key was absent
   */
  @ActivityMethod
  String setConfigMapValue(DatabaseTarget target, String configMap, String key, String value, String runId);

  /**
   * A pod's resource use from the metrics API ({@code kubectl top pod}): "cpu 250m, memory 310Mi", or
   * a sentence saying the cluster serves no metrics API. Read-only.
   */
  @ActivityMethod
  String podUsage(DatabaseTarget target, String pod);

  /**
   * Restarts one database pod (runbook 004 §1.3: what {@code kubectl rollout restart} does to it):
   * records {@code runId/pod/uid} on the StatefulSet ({@link KubernetesLabels#RESTARTED_POD}), then
   * deletes the pod; the StatefulSet recreates it on the same volumes. Idempotent: a retry that
   * finds another pod under that name (another uid) deletes nothing.
   *
   * @return true when this call deleted the pod, false when an earlier attempt had or the pod is gone already
   */
  @ActivityMethod
  boolean restartPod(DatabaseTarget target, String pod, String runId);

  /**
   * Marks a pod fenced: the StatefulSet lists it in {@link KubernetesLabels#FENCED_PODS} (so a
   * recreated pod starts as a standby, never a writable primary) and the pod carries the run.
   * Idempotent: a pod already listed is not listed twice.
   */
  @ActivityMethod
  void fencePod(DatabaseTarget target, String pod, String runId);

  /**
   * Records on the StatefulSet ({@link KubernetesLabels#PROMOTION}) which pod a run is about to
   * promote, before it changes anything. Idempotent: a merge patch of one annotation to the same value.
   */
  @ActivityMethod
  void recordPromotionIntent(DatabaseTarget target, PromotionIntent intent);

  /** Points the Service at one pod by its pod-name label. Idempotent: a patch to the same value. */
  @ActivityMethod
  void repointService(DatabaseTarget target, String pod);

  /** Sets the target's ConfigMap host key to the pod's host; nothing when the target has none. Idempotent. */
  @ActivityMethod
  void repointConfigMap(DatabaseTarget target, String pod);

  /**
   * Rollout restart of the target's Deployments. Idempotent per run: a Deployment whose pod
   * template already carries this run's {@link KubernetesLabels#RESTARTED_BY} is not restarted again.
   *
   * @return the Deployments restarted by this call
   */
  @ActivityMethod
  List<String> restartDeployments(DatabaseTarget target, String runId);

  /**
   * Stops the writers: scales each of the target's Deployments to zero, remembering its replica
   * count on the Deployment ({@link KubernetesLabels#REPLICAS_BEFORE}) in the same patch. Every
   * Deployment is looked up before any is scaled. Idempotent, and safe after a failed run: a
   * Deployment that already carries the annotation keeps it, so its count is never taken as zero.
   *
   * @return each Deployment's replica count before pgdr stopped it
   */
  @ActivityMethod
  Map<String, Integer> stopWriters(DatabaseTarget target, String runId);

  /** Scales each Deployment back to its remembered count and removes the annotation. Idempotent. */
  @ActivityMethod
  void restartWriters(DatabaseTarget target, Map<String, Integer> replicas);

  /**
   * Waits, heartbeating, until each Deployment reports at least its count of ready replicas, as
   * {@code kubectl rollout status} does: the apps are up and their readiness probes pass, which for
   * a database client means it connects (runbook 000 C.10). Read-only. Fails, non-retryable, naming
   * each Deployment short of ready, when they are not all ready within a few minutes.
   *
   * @return each Deployment's ready replicas when the wait ended
   */
  @ActivityMethod
  Map<String, Integer> awaitWritersReady(DatabaseTarget target, Map<String, Integer> replicas);

  /**
   * Keeps a pod's volumes before anything lets them go: each claim the StatefulSet's
   * volumeClaimTemplates give the pod must be bound, and its PersistentVolume gets reclaim policy
   * Retain, with pgdr's annotations saying which run kept it, for which claim, and its policy
   * before. Changes nothing unless every claim is found bound. Idempotent: the policy before is
   * recorded once, so a retry never records Retain as what it was.
   */
  @ActivityMethod
  List<KeptVolume> keepVolumes(DatabaseTarget target, String pod, String runId);

  /**
   * Has the StatefulSet recreate a pod on new, empty volumes (runbook 000 C.4–C.6 without losing
   * the old ones): marks the pod with the run, deletes its claims, then the marked pod. Refuses to
   * delete a claim unless it is bound to one of the {@code kept} volumes and that volume is still
   * Retain. Idempotent: a claim already bound to another volume was recreated and is left alone,
   * and only a pod carrying this run's mark is deleted, never the pod that replaced it.
   */
  @ActivityMethod
  void recreatePod(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId);

  /**
   * Waits, heartbeating, until the pod is back and ready on volumes other than the kept ones, and
   * returns it. A pod stuck Pending because it was created while its old claim was still being
   * deleted is deleted once more, so the StatefulSet creates it with a new claim.
   */
  @ActivityMethod
  PodState awaitPodReady(DatabaseTarget target, String pod, List<KeptVolume> kept);

  /**
   * Stops the database (runbook 000 D.3, {@code kubectl scale statefulset --replicas=0}): scales the
   * StatefulSet to zero, remembering its replica count on it ({@link KubernetesLabels#REPLICAS_BEFORE})
   * in the same patch, and waits, heartbeating, until none of its pods is left, so nothing writes to
   * their volumes any more. Idempotent: a remembered count stands.
   *
   * @return the replica count before
   */
  @ActivityMethod
  int stopDatabase(DatabaseTarget target, String runId);

  /**
   * Gives a pod of the stopped StatefulSet a new, empty volume, the old one kept: deletes the pod's
   * data claim (only when it is bound to one of the {@code kept} volumes, still Retain), creates it
   * again from the StatefulSet's volumeClaimTemplate, and waits until a volume is bound to it.
   * Refuses while the pod exists. Idempotent: a claim already bound to a volume other than the kept
   * ones is the new one.
   *
   * @return the new volume and where the worker reaches its files
   */
  @ActivityMethod
  DataVolume freshVolume(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId);

  /** Scales the StatefulSet to {@code replicas} and drops pgdr's annotations. Idempotent. */
  @ActivityMethod
  void startDatabase(DatabaseTarget target, int replicas);

  /**
   * Holds a pod's server stopped so its data directory can be worked on: the StatefulSet lists the pod
   * in {@link KubernetesLabels#HELD_PODS} (its start-up waits while listed, as it honours the fence),
   * then the pod, if it ran before this call was first scheduled, is deleted and waited for until it is
   * gone (the StatefulSet recreates it, held). Idempotent: a pod recreated since is left alone.
   *
   * @return the pod's data volume (its claim from the StatefulSet's template, the volume and its path)
   */
  @ActivityMethod
  DataVolume holdPod(DatabaseTarget target, String pod, String runId);

  /** Lets a held pod's server start: the pod leaves {@link KubernetesLabels#HELD_PODS}. Idempotent. */
  @ActivityMethod
  void releasePod(DatabaseTarget target, String pod);

  /**
   * Lifts a fence once the pod's server is a standby again: the pod leaves {@link KubernetesLabels#FENCED_PODS}
   * and loses its {@link KubernetesLabels#FENCED_BY} mark. Idempotent.
   */
  @ActivityMethod
  void unfencePod(DatabaseTarget target, String pod);

  /**
   * A drill's scratch server: creates StatefulSet {@code name} ({@link ScratchInstanceName}) of one
   * pod beside the target's, on a new claim from the target's volumeClaimTemplate, running the
   * image of the target's PostgreSQL container with the target's credentials Secret (its first
   * start initialises an empty server), labelled {@link KubernetesLabels#SCRATCH_OF} and nothing
   * of the target's, so no Service, PodDisruptionBudget or NetworkPolicy of production selects it;
   * then waits, heartbeating, until its pod is ready. Idempotent: a StatefulSet of that name this
   * run made is waited on, not made again; one another run made is refused.
   *
   * @return where the scratch server answers, with the target's credentials
   */
  @ActivityMethod
  PostgresServer createScratchInstance(DatabaseTarget target, String name, String runId);

  /**
   * Deletes a drill's scratch StatefulSet {@code name} and its pod's claim, then waits until both
   * are gone. Refuses (non-retryable, {@link FailureTypes#SCRATCH_INSTANCE_REFUSED}) a name that is
   * not a scratch name, or a StatefulSet or claim another run made or pgdr did not label. Idempotent.
   *
   * @return true when this call deleted something, false when it was all gone already
   */
  @ActivityMethod
  boolean deleteScratchInstance(DatabaseTarget target, String name, String runId);
}
