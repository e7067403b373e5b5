package io.pgdr.drill;

import java.util.List;

/** The drills pgdr runs: the closed list, in one place. */
public final class DrillModes {

  /**
   * The latest valid backup restored into a scratch database beside the live one, checked against
   * its manifest, verified with the target's integrity tables, and dropped: the application's data is
   * never touched (the restore costs the primary disk, I/O and WAL while it runs).
   */
  public static final String RESTORE_REHEARSAL = "restore-rehearsal";

  public static final List<String> ALL = List.of(RESTORE_REHEARSAL);

  private DrillModes() {}
}
