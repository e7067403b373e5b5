package io.pgdr.ports;

/** Label and annotation names pgdr reads and writes; one place, shared by adapters and the lab. */
public final class KubernetesLabels {
  /** Set by the StatefulSet controller on each pod; the Service selects the primary with it. */
  public static final String POD_NAME = "statefulset.kubernetes.io/pod-name";
  /** On the StatefulSet: comma-separated pods that must never start as a writable primary again. */
  public static final String FENCED_PODS = "pgdr.io/fenced-pods";
  /** On the StatefulSet: the failover run's chosen candidate, as JSON ({@link PromotionIntent}). */
  public static final String PROMOTION = "pgdr.io/promotion";
  /**
   * On the StatefulSet: pods whose server must not start while pgdr works on their data directory
   * (a rejoin), comma-separated. The pod's start-up waits while it is listed, as it honours the fence.
   */
  public static final String HELD_PODS = "pgdr.io/held-pods";
  /** On a pod: pgdr fenced it (the run that did). */
  public static final String FENCED_BY = "pgdr.io/fenced-by";
  /** On a Deployment's pod template: the run that last restarted it, so a retry restarts once. */
  public static final String RESTARTED_BY = "pgdr.io/restarted-by";
  /** On a Deployment pgdr scaled to zero: its replica count before, until pgdr scales it back. */
  public static final String REPLICAS_BEFORE = "pgdr.io/replicas-before";
  /** On a Deployment pgdr scaled to zero: the run that did. */
  public static final String STOPPED_BY = "pgdr.io/stopped-by";
  /** On a PersistentVolume pgdr set to Retain: the run that did. */
  public static final String KEPT_BY = "pgdr.io/kept-by";
  /** On a PersistentVolume pgdr set to Retain: the claim it was bound to, as namespace/name. */
  public static final String KEPT_CLAIM = "pgdr.io/kept-claim";
  /** On a PersistentVolume pgdr set to Retain: its reclaim policy before, recorded once. */
  public static final String RECLAIM_POLICY_BEFORE = "pgdr.io/reclaim-policy-before";
  /** Prefix of the ConfigMap annotation ({@code <prefix><key>}) holding {@code runId=value}: a key's value before pgdr changed it. */
  public static final String VALUE_BEFORE = "pgdr.io/before.";
  /** On the StatefulSet: {@code runId/pod/uid} of the pod a run deleted so it restarts, so a retry never deletes its replacement. */
  public static final String RESTARTED_POD = "pgdr.io/restarted-pod";
  /** On a pod pgdr is about to recreate on new volumes: the run, so a retry deletes that pod only. */
  public static final String RECREATED_BY = "pgdr.io/recreated-by";
  /** The annotation {@code kubectl rollout restart} sets. */
  public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  /**
   * On a drill's scratch StatefulSet, its pod template and claim template: the StatefulSet it
   * rehearses a restore of. pgdr deletes only StatefulSets and claims that carry it.
   */
  public static final String SCRATCH_OF = "pgdr.io/scratch-of";
  /** On a drill's scratch StatefulSet: the run that made it, the only one that deletes it. */
  public static final String SCRATCH_RUN = "pgdr.io/scratch-run";
  /** {@code app.kubernetes.io/managed-by}, set to {@code pgdr} on what pgdr creates. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  private KubernetesLabels() {}
}
