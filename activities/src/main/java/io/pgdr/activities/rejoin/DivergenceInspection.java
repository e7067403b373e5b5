package io.pgdr.activities.rejoin;

import io.pgdr.activities.backupformat.TimelineHistory;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.run.Lsn;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds how a stopped stale server's history parted from the new primary's without changing its data:
 * pg_rewind's dry run says where and whether a rewind can be done, pg_waldump what the stale server
 * wrote after the fork (the transactions the rejoin discards).
 */
final class DivergenceInspection {

  private static final Logger log = LoggerFactory.getLogger(DivergenceInspection.class);
  /** A dry run and a WAL dump read, they do not copy: minutes even for a big server. */
  static final Duration CAP = Duration.ofMinutes(10);

  private final StaleDataDirectory data;
  private final PostgresServer stale;
  private final PostgresServer primary;
  private final Credentials credentials;

  DivergenceInspection(StaleDataDirectory data, PostgresServer stale, PostgresServer primary, Credentials credentials) {
    this.data = data;
    this.stale = stale;
    this.primary = primary;
    this.credentials = credentials;
  }

  Divergence inspect() throws ChildProgram.TimedOut {
    data.requireCluster();
    data.requireStopped();
    if (!data.controlData().shutDownCleanly()) {
      // a crashed old primary: recovered to a clean shutdown first, or the dry run would send it to a fresh copy
      data.finishCrashRecovery(CAP);
    }
    RewindReport report;
    try (NewPrimary source = new NewPrimary(primary, credentials)) {
      source.checkpointSincePromotion();
      report = data.rewindFrom(primary, credentials, true, CAP);
      failIfUnreachable(report, stale, primary);
      ControlData control = data.controlData();
      String fork = report.forkLsn();
      int forkTimeline = report.forkTimeline();
      if (fork == null && !report.succeeded()) {
        // pg_rewind refused before it compared histories (no checksums nor wal_log_hints): the primary's history says
        Optional<TimelineHistory.Switch> parted = source.switchFrom(control.timeline());
        if (parted.isPresent()) {
          fork = parted.get().at().toString();
          forkTimeline = parted.get().parent();
        }
      }
      String way = !report.succeeded() ? Divergence.FRESH_COPY : report.rewindNeeded() ? Divergence.REWIND : Divergence.FOLLOWS;
      Divergence divergence = measured(way, fork, forkTimeline, control, report.succeeded() ? null : report.error());
      log.info("{} and the new primary {}: {} ({})", stale.pod(), primary.pod(), way, divergence.discarded());
      return divergence;
    }
  }

  /** The dry run's failure to reach the primary is the primary's (retried), not the directory's (a fresh copy would fail alike). */
  static void failIfUnreachable(RewindReport report, PostgresServer stale, PostgresServer primary) {
    if (report.credentialsRefused()) {
      throw ApplicationFailure.newNonRetryableFailure("pg_rewind of " + stale.pod() + ": " + primary.pod() + " (" + primary.address()
          + ") refused the credentials: " + report.error(), FailureTypes.CREDENTIALS_REFUSED);
    }
    if (report.sourceUnreachable()) {
      throw ApplicationFailure.newFailure("pg_rewind of " + stale.pod() + " did not reach " + primary.pod() + " (" + primary.address()
          + "): " + report.error(), FailureTypes.SERVER_UNREACHABLE);
    }
  }

  private Divergence measured(String way, String fork, int forkTimeline, ControlData control, String refusal) {
    String known = control.lastKnownLsn();
    if (fork == null) {
      // on the primary's timeline already (FOLLOWS), or parted where nothing here could tell (a fresh copy, count unknown)
      boolean follows = Divergence.FOLLOWS.equals(way);
      return new Divergence(way, null, 0, known, 0, follows ? 0 : -1, null, null, refusal);
    }
    if (Divergence.FOLLOWS.equals(way)) {
      // the stale server's WAL ends at or before the fork: nothing of its own to discard
      return new Divergence(way, fork, forkTimeline, known, 0, 0, null, null, null);
    }
    DivergedWal wal = data.walAfter(fork, forkTimeline, CAP);
    if (wal == null) {
      long bytes = known == null ? 0 : Math.max(0, Lsn.parse(known) - Lsn.parse(fork));
      return new Divergence(way, fork, forkTimeline, known, bytes, -1, null, null, refusal);
    }
    long bytes = Math.max(0, Lsn.parse(wal.end()) - Lsn.parse(fork));
    return new Divergence(way, fork, forkTimeline, wal.end(), bytes, wal.commits(), wal.firstCommit(), wal.lastCommit(), refusal);
  }
}
