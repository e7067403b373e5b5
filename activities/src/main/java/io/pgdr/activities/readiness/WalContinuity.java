package io.pgdr.activities.readiness;

import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.ReadinessReport.Item;
import java.time.Duration;
import java.time.Instant;

/** The WAL archive, when there is a physical archive for point-in-time recovery: no gap, and still being fed. */
final class WalContinuity {

  private WalContinuity() {}

  static Item judge(RecoverableWindow archive, String location, Duration rpo, Instant now) {
    if (archive.baseBackups().isEmpty()) {
      return ReadinessCheck.pass("wal archive", "not configured: no base backup under " + location
          + " (point-in-time recovery needs one: pgdr backup base)");
    }
    // what a point-in-time recovery would use: the newest base backup and the WAL after it; older gaps do not matter
    RecoverableWindow.Range newest = archive.timelines().stream().flatMap(t -> t.recoverable().stream())
        .filter(r -> r.fromTime() != null).max(java.util.Comparator.comparing(RecoverableWindow.Range::fromTime)).orElse(null);
    Instant last = archive.timelines().stream().map(RecoverableWindow.Timeline::lastStoredAt).filter(java.util.Objects::nonNull)
        .max(Instant::compareTo).orElse(null);
    String detail = archive.baseBackups().size() + " base backups, " + archive.timelines().size() + " timelines"
        + (newest == null ? "" : ", the newest base " + newest.base() + " recovers to " + newest.to())
        + (last == null ? ", no WAL stored" : ", last WAL stored " + Duration.between(last, now).toSeconds() + " s ago");
    if (newest == null || newest.problem() != null) {
      return new Item("wal archive", ReadinessReport.WARN, detail + (newest == null ? ", no base backup with WAL after it" : ": " + newest.problem()),
          "a point-in-time recovery cannot use it: take a new base backup (pgdr backup base) and check archive_command");
    }
    if (last == null || Duration.between(last, now).compareTo(rpo) > 0) {
      return new Item("wal archive", ReadinessReport.WARN, detail + ", older than the RPO of " + rpo,
          "the archive is not being fed: check archive_command and pg_stat_archiver on the primary (an idle server archives"
              + " only when archive_timeout forces a switch)");
    }
    return ReadinessCheck.pass("wal archive", detail);
  }
}
