package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a restore rehearsal restores the backup.
 *
 * @param scratch {@value #STATEFULSET} (the default): a temporary StatefulSet of one pod on a new
 *     claim, named {@code pgdr-drill-<statefulSet>-<run>}, which no Service selects and which is
 *     deleted with its claim afterwards; the production servers carry none of the drill's load.
 *     {@value #DATABASE}: a scratch database beside the application's on its primary, for a worker
 *     that reaches the servers through {@code postgres.endpoints} (port-forwarding) and for the lab
 */
public record DrillSettings(String scratch) {

  public static final String STATEFULSET = "statefulset";
  public static final String DATABASE = "database";
  public static final DrillSettings DEFAULT = new DrillSettings(null);
  public static final DrillSettings SCRATCH_DATABASE = new DrillSettings(DATABASE);

  public DrillSettings {
    scratch = scratch == null ? STATEFULSET : scratch;
  }

  /** True when a rehearsal restores into a temporary StatefulSet of its own. */
  public boolean scratchInstance() {
    return STATEFULSET.equals(scratch);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!STATEFULSET.equals(scratch) && !DATABASE.equals(scratch)) {
      problems.add("drill.scratch: " + Echo.quoted(scratch) + " is not a scratch target; use " + STATEFULSET + " (a temporary"
          + " StatefulSet, the default) or " + DATABASE + " (a scratch database on the primary)");
    }
    return problems;
  }
}
