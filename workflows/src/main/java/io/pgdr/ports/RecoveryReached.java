package io.pgdr.ports;

import java.time.Instant;

/**
 * Where a point-in-time recovery ended: the server promoted at the target.
 *
 * @param timeline the new timeline the server writes on
 * @param replayedLsn the last WAL location replayed
 * @param lastCommitTime the time of the last transaction replayed (null when recovery replayed none)
 * @param segmentsFetched WAL segments fetched from the store by this run
 * @param segmentsReused segments an earlier attempt had fetched, not fetched again
 * @param fetchedAgain fetches of a segment already fetched once (0 unless the server went back and asked again)
 * @param bytesFetched bytes fetched
 * @param fetchSeconds time spent fetching, summed over the parallel fetches
 * @param replaySeconds from the server's start to its promotion
 */
public record RecoveryReached(int timeline, String replayedLsn, Instant lastCommitTime, int segmentsFetched, int segmentsReused,
    int fetchedAgain, long bytesFetched, double fetchSeconds, double replaySeconds) {}
