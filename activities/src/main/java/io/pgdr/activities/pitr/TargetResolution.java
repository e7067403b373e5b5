package io.pgdr.activities.pitr;

import io.pgdr.activities.backup.PhysicalArchiveReader;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.backupformat.RecoverableWindow.Resolution;
import io.pgdr.activities.backupformat.WalCompression;
import io.pgdr.activities.backupformat.WalFileName;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;

/**
 * Which base backup, timeline and WAL serve a target, from the archive alone; refusals name the
 * recoverable window. A time or a location is placed in the archive; a transaction id or a restore
 * point's name can only be found by replay, so recovery starts from the earliest base backup on the
 * timeline and the recovery itself fails when it never meets the target.
 */
final class TargetResolution {

  private final PhysicalArchiveReader reader;

  TargetResolution(PhysicalArchiveReader reader) {
    this.reader = reader;
  }

  PitrResolution resolve(BackupLocation location, PitrTarget target, Instant now) {
    if (!target.problems().isEmpty()) {
      throw refused(String.join("; ", target.problems()));
    }
    RecoverableWindow window = reader.read(location);
    Instant time = null;
    Resolution served;
    try {
      if (present(target.time())) {
        time = RecoverableWindow.parseTime(target.time());
        served = window.resolve(new RecoverableWindow.TimeTarget(time), now);
      } else if (present(target.lsn())) {
        served = window.resolve(new RecoverableWindow.LsnTarget(RecoverableWindow.parseLsn(target.lsn()), target.timeline()), now);
      } else {
        served = window.resolveFromEarliest(target.timeline());
      }
    } catch (RecoverableWindow.TargetRefused e) {
      throw refused(e.getMessage());
    }
    for (String segment : java.util.stream.Stream.concat(served.segments().stream(), served.following().stream()).toList()) {
      String compression = WalFileName.parse(segment).map(WalFileName::compression).orElse(null);
      if (!WalCompression.readable(compression)) {
        throw refused("WAL segment " + segment + " is compressed with " + compression + ": pgdr reads plain segments and "
            + WalCompression.READ.stream().map(c -> "." + c).collect(java.util.stream.Collectors.joining(", ")) + " ones");
      }
    }
    var base = served.base();
    return new PitrResolution(served.timeline(), base.label(), base.key(), base.files(), base.sizeBytes(), base.startLsn().toString(),
        base.stopLsn().toString(), base.readyBy(), served.segments(), served.segmentBytes(), served.following(), time, window.describe());
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  static ApplicationFailure refused(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.TARGET_REFUSED);
  }
}
