package io.pgdr.restore;

import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.run.Ports;
import io.pgdr.run.StopRun;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import java.util.stream.Collectors;

/** Which backup a run restores: the one named, checked, or the latest valid one, with the damaged newer ones noted. */
public final class BackupChoice {

  private BackupChoice() {}

  /**
   * @param named a backup key given by the person starting the run; null takes the latest valid one
   * @throws StopRun when the named backup is not usable (bad input) or no backup is valid
   */
  public static BackupEntry choose(DatabaseTarget target, String named, Timeline timeline) {
    BackupEntry chosen;
    if (named != null) {
      chosen = Ports.backups("check backup " + named).checkBackup(target.backups(), named);
      if (!chosen.valid()) {
        throw new StopRun("backup " + named + " is not usable: " + chosen.reason(), true);
      }
    } else {
      BackupCatalog catalog = Ports.backups("list backups under " + target.backups().url()).listBackups(target.backups());
      for (BackupEntry entry : catalog.entries()) {
        if (!entry.valid() && entry.reason() != null && !entry.reason().startsWith("not checked")) {
          timeline.note("skipped " + entry.key() + ": " + entry.reason());
        }
      }
      chosen = catalog.latestValid().orElseThrow(() -> new StopRun("no valid backup under " + catalog.location()
          + (catalog.entries().isEmpty() ? "" : ": " + catalog.entries().stream()
              .map(e -> e.key() + " (" + e.reason() + ")").collect(Collectors.joining("; "))), false));
    }
    timeline.note("using " + chosen.key() + " (" + chosen.format() + ", " + chosen.sizeBytes() + " bytes, data as of " + chosen.dataAsOf() + ")");
    return chosen;
  }
}
