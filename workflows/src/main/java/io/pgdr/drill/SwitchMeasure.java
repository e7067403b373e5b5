package io.pgdr.drill;

/**
 * One direction of a switchover drill, measured.
 *
 * @param fencedAt the old primary's last WAL position once fenced (read-only, sessions ended)
 * @param replayedTo how far the new primary had replayed when it was promoted: at or past {@code fencedAt}, so nothing was lost
 * @param seconds from the fence to the new primary verified: this direction's RTO; null before it was verified
 */
public record SwitchMeasure(String from, String to, String fencedAt, String replayedTo, Double seconds) {

  SwitchMeasure verifiedAfter(double elapsed) {
    return new SwitchMeasure(from, to, fencedAt, replayedTo, elapsed);
  }
}
