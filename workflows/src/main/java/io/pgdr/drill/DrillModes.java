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

  /**
   * A planned switch of the primary to a streaming standby and back, each old primary rejoined as a
   * standby: zero loss proven with marker rows (in the drill's own scratch database), the RTO of each
   * direction measured. It moves the primary, so it asks for an approval; for staging and the lab.
   */
  public static final String SWITCHOVER = "switchover";

  public static final List<String> ALL = List.of(RESTORE_REHEARSAL, SWITCHOVER);

  private DrillModes() {}
}
