package io.pgdr.ports;

import java.time.Instant;

/**
 * How a stale server's history (an old primary, a standby left on the old timeline) parted from
 * the new primary's, found before anything is changed: what bringing it back as a standby discards.
 *
 * @param way how it can come back: {@link #FOLLOWS} (it is on the primary's history: only its standby
 *     settings change), {@link #REWIND} ({@code pg_rewind}) or {@link #FRESH_COPY} ({@code pg_basebackup},
 *     when a rewind cannot be done; the old data directory is kept beside it)
 * @param forkLsn where the histories parted; null when they did not
 * @param forkTimeline the timeline the stale server was on where they parted; 0 when unknown
 * @param staleEndLsn the last WAL position the stale server wrote
 * @param divergedBytes WAL the stale server wrote after the fork, discarded by a rejoin
 * @param divergedCommits transactions it committed after the fork (pg_waldump), discarded; -1 when
 *     they could not be counted
 * @param firstDivergedCommit the first of them; null when none
 * @param lastDivergedCommit the last of them; null when none
 * @param rewindRefusal why pg_rewind cannot be used (its own words), the reason for a fresh copy; null otherwise
 */
public record Divergence(String way, String forkLsn, int forkTimeline, String staleEndLsn, long divergedBytes, int divergedCommits,
    Instant firstDivergedCommit, Instant lastDivergedCommit, String rewindRefusal) {

  public static final String FOLLOWS = "follows";
  public static final String REWIND = "pg_rewind";
  public static final String FRESH_COPY = "pg_basebackup";

  /** What is discarded, for the timeline and the report. */
  public String discarded() {
    if (forkLsn == null && divergedCommits < 0) {
      return "what it wrote after the fork (not measurable: the histories could not be compared) is discarded";
    }
    if (forkLsn == null || divergedBytes <= 0) {
      return "nothing written after the fork" + (forkLsn == null ? "" : " at " + forkLsn) + " is discarded";
    }
    if (divergedCommits == 0) {
      // WAL without a commit: checkpoints (a crash recovery's own), a segment switch
      return "no transaction committed after the fork at " + forkLsn + " on timeline " + forkTimeline + " is discarded (" + divergedBytes
          + " bytes of WAL without a commit)";
    }
    String commits = divergedCommits < 0 ? "an uncounted number of transactions"
        : divergedCommits + (divergedCommits == 1 ? " transaction" : " transactions")
            + (firstDivergedCommit == null ? "" : " committed " + firstDivergedCommit
                + (lastDivergedCommit == null || lastDivergedCommit.equals(firstDivergedCommit) ? "" : " to " + lastDivergedCommit));
    return commits + " (" + divergedBytes + " bytes of WAL after the fork at " + forkLsn + " on timeline " + forkTimeline
        + ") discarded";
  }
}
