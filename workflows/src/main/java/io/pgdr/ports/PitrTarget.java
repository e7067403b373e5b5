package io.pgdr.ports;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a point-in-time recovery stops, as the operator gave it: exactly one of a time
 * ({@code YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]}, no zone meaning UTC), a WAL location, a transaction
 * id or a restore point's name, as PostgreSQL's {@code recovery_target_*} settings take them.
 * Kept as text: the activity that reads the archive parses and checks it, so a malformed target is
 * refused there, with the window, before anything is touched.
 *
 * @param timeline the timeline the target lies on; null to let the archive decide (a time picks
 *     the timeline that was live then, from the history files)
 * @param exclusive stop just before the target instead of just after it
 *     ({@code recovery_target_inclusive = off}); not for a restore point's name
 */
public record PitrTarget(String time, String lsn, String xid, String name, Integer timeline, boolean exclusive) {

  public static PitrTarget time(String time) {
    return new PitrTarget(time, null, null, null, null, false);
  }

  /** What is wrong with the target's shape (none, several, exclusive with a name); empty when it is one target. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    long given = java.util.stream.Stream.of(time, lsn, xid, name).filter(v -> v != null && !v.isBlank()).count();
    if (given == 0) {
      problems.add("pitr target: give one of a time, a WAL location (lsn), a transaction id (xid) or a restore point name");
    } else if (given > 1) {
      problems.add("pitr target: give only one of time, lsn, xid and name (" + this + ")");
    }
    if (exclusive && name != null && !name.isBlank()) {
      problems.add("pitr target: a restore point is always recovered up to and including it; exclusive does not apply");
    }
    if (xid != null && !xid.isBlank() && !xid.strip().matches("\\d{1,20}")) {
      problems.add("pitr target: transaction id " + xid + " is not a number");
    }
    if (name != null && name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add("pitr target: a restore point name has no control characters (newline, tab, ...)");
    }
    if (name != null && name.length() > 63) {
      problems.add("pitr target: a restore point name has at most 63 characters");
    }
    if (timeline != null && time != null && !time.isBlank()) {
      problems.add("pitr target: a time finds its timeline in the archive's history files; a timeline is given with a location, xid or name");
    }
    if (timeline != null && timeline < 1) {
      problems.add("pitr target: timeline " + timeline + " is not a timeline (1 or more)");
    }
    return problems;
  }

  @Override
  public String toString() {
    String what = time != null && !time.isBlank() ? "time " + time : lsn != null && !lsn.isBlank() ? "location " + lsn
        : xid != null && !xid.isBlank() ? "transaction " + xid : "restore point '" + name + "'";
    return what + (timeline != null ? " on timeline " + timeline : "") + (exclusive ? " (exclusive)" : "");
  }
}
