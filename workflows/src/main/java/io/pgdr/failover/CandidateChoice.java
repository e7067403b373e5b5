package io.pgdr.failover;

import io.pgdr.ports.PromotionIntent;

/**
 * The replica to promote and what promoting it would lose.
 *
 * @param lostBytes WAL the candidate lacks compared with the furthest known position; -1 when it
 *     can no longer be measured (the candidate was promoted before this run looked)
 * @param lostSeconds upper bound on the time span of writes in that WAL; -1 when not measurable
 * @param basis where the furthest known position came from
 * @param alreadyPromoted the candidate was out of recovery when this run diagnosed the cluster
 */
public record CandidateChoice(String pod, String replayLsn, long lostBytes, double lostSeconds, String basis, boolean rpoExceeded,
    boolean alreadyPromoted) {

  /** The choice as recorded on the StatefulSet before the run changes anything. */
  public PromotionIntent intent(String runId) {
    return new PromotionIntent(runId, pod, replayLsn, lostBytes, lostSeconds, basis, rpoExceeded);
  }

  /** The choice a run recorded, as it was when the run's approval was asked. */
  static CandidateChoice recorded(PromotionIntent intent, boolean alreadyPromoted) {
    return new CandidateChoice(intent.pod(), intent.replayLsn(), intent.lostBytes(), intent.lostSeconds(), intent.basis(),
        intent.rpoExceeded(), alreadyPromoted);
  }

  /** What promoting it loses, as the approval and the timeline say it. */
  public String lossText() {
    return lostBytes < 0 ? "loss not measurable" : "estimated loss " + lostBytes + " bytes / " + lostSeconds + " s";
  }
}
