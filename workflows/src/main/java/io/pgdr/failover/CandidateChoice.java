package io.pgdr.failover;

/**
 * The replica to promote and what promoting it would lose.
 *
 * @param lostBytes WAL the candidate lacks compared with the furthest known position
 * @param lostSeconds upper bound on the time span of writes in that WAL
 * @param basis where the furthest known position came from
 */
public record CandidateChoice(String pod, String replayLsn, long lostBytes, double lostSeconds, String basis, boolean rpoExceeded) {}
