package io.pgdr.activities.rejoin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pg_controldata's report of a data directory, read for what pg_rewind does not print: the timeline and
 * where the server's WAL ended when pg_waldump cannot tell.
 */
record ControlData(Map<String, String> fields) {

  static ControlData parse(String output) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
      }
    }
    return new ControlData(fields);
  }

  /** The timeline the server was last on: a standby's minimum recovery timeline when later than its restartpoint's. */
  int timeline() {
    int checkpoint = number("Latest checkpoint's TimeLineID");
    return Math.max(checkpoint, number("Min recovery ending loc's timeline"));
  }

  /** The furthest WAL position the file knows the server reached: its last checkpoint, or a standby's minimum recovery point. */
  String lastKnownLsn() {
    long checkpoint = lsn("Latest checkpoint location");
    long recovery = lsn("Minimum recovery ending location");
    long latest = Math.max(checkpoint, recovery);
    return latest <= 0 ? null : io.pgdr.run.Lsn.format(latest);
  }

  String state() {
    return fields.getOrDefault("Database cluster state", "unknown");
  }

  /** Shut down cleanly ("shut down", "shut down in recovery"): what pg_rewind's dry run asks of its target. */
  boolean shutDownCleanly() {
    return state().startsWith("shut down");
  }

  private int number(String field) {
    try {
      return Integer.parseInt(fields.getOrDefault(field, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private long lsn(String field) {
    try {
      return io.pgdr.run.Lsn.parse(fields.get(field));
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
