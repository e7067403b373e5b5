package io.pgdr.ports;

import java.time.Instant;
import java.util.List;

/**
 * What serves a point-in-time recovery, read from the archive before anything is touched: the base
 * backup to restore, the timeline to recover along, and the WAL to fetch.
 *
 * @param timeline the recovery_target_timeline
 * @param baseLabel the base backup's directory under {@code base/}
 * @param baseKey its key, ending in {@code /}
 * @param baseObjects the base backup's objects, relative to {@code baseKey} ({@code base.tar.gz}, {@code pg_wal.tar.gz}, ...)
 * @param baseBytes their stored size
 * @param baseStartLsn where its WAL starts
 * @param baseStopLsn where it is consistent
 * @param baseStopTime when it was consistent (its STOP TIME, else when its last object was stored)
 * @param segments the segment files recovery reads at least, in order
 * @param segmentBytes their stored size
 * @param following the segment files after them without a gap, in order: recovery to a time, a
 *     transaction or a restore point reads on until it meets the target
 * @param targetTime the target as a time, when it is one (UTC)
 * @param window the archive's recoverable window, in words
 */
public record PitrResolution(int timeline, String baseLabel, String baseKey, List<String> baseObjects, long baseBytes,
    String baseStartLsn, String baseStopLsn, Instant baseStopTime, List<String> segments, long segmentBytes,
    List<String> following, Instant targetTime, String window) {

  public PitrResolution {
    baseObjects = List.copyOf(baseObjects);
    segments = List.copyOf(segments);
    following = List.copyOf(following);
  }

  /** Every segment recovery may ask for, in order. */
  public List<String> allSegments() {
    return java.util.stream.Stream.concat(segments.stream(), following.stream()).toList();
  }
}
