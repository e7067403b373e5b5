package io.pgdr.ports;

/**
 * What a failover run chose to promote, recorded on the StatefulSet ({@link KubernetesLabels#PROMOTION})
 * before it fences or promotes anything. A worker lost in the middle of fence, promote and repoint
 * loses that workflow task's record of the choice with it; the StatefulSet keeps it, so the worker
 * that takes the run over carries on with the same candidate, and a later run knows which run
 * promoted the server it finds out of recovery.
 *
 * @param runId the Temporal run that chose
 * @param lostBytes, lostSeconds, basis, rpoExceeded the loss estimate the approval showed
 */
public record PromotionIntent(String runId, String pod, String replayLsn, long lostBytes, double lostSeconds, String basis,
    boolean rpoExceeded) {}
