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
    long gaps = archive.timelines().stream().mapToLong(t -> t.gaps().size()).sum();
    Instant last = archive.timelines().stream().map(RecoverableWindow.Timeline::lastStoredAt).filter(java.util.Objects::nonNull)
        .max(Instant::compareTo).orElse(null);
    String detail = archive.baseBackups().size() + " base backups, " + archive.timelines().size() + " timelines, " + gaps + " gaps"
        + (last == null ? ", no WAL stored" : ", last WAL stored " + Duration.between(last, now).toSeconds() + " s ago");
    if (gaps > 0 || !archive.problems().isEmpty()) {
      return new Item("wal archive", ReadinessReport.WARN, detail + (archive.problems().isEmpty() ? "" : "; " + String.join("; ", archive.problems())),
          "a point-in-time recovery cannot cross a gap: take a new base backup (pgdr backup base) and check archive_command");
    }
    if (last == null || Duration.between(last, now).compareTo(rpo) > 0) {
      return new Item("wal archive", ReadinessReport.WARN, detail + ", older than the RPO of " + rpo,
          "the archive is not being fed: check archive_command and pg_stat_archiver on the primary (an idle server archives"
              + " only when archive_timeout forces a switch)");
    }
    return ReadinessCheck.pass("wal archive", detail);
  }
}
