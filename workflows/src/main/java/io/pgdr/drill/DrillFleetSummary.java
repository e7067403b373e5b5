package io.pgdr.drill;

import java.util.List;

/** Every database's drill in a fleet run, in the order the targets were given. */
public record DrillFleetSummary(List<DrillResult> drills) {

  public DrillFleetSummary {
    drills = List.copyOf(drills);
  }

  public long count(String state) {
    return drills.stream().filter(d -> state.equals(d.state())).count();
  }

  /** Every drill ended and passed. */
  public boolean allPassed() {
    return drills.stream().allMatch(d -> DrillResult.PASSED.equals(d.state()));
  }

  /**
   * One database's drill.
   *
   * @param state {@link #WAITING}, {@link #RUNNING}, {@link #PASSED}, {@link #FAILED} or {@link #NOT_RUN}
   * @param rtoSeconds time to a verified copy; null when the drill did not get that far
   * @param rpoSeconds the backup's age; null when the drill did not get that far
   * @param message the drill's report message, or why it did not run
   */
  public record DrillResult(String database, String workflowId, String state, Double rtoSeconds, Double rpoSeconds, String message) {
    public static final String WAITING = "waiting";
    public static final String RUNNING = "running";
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    /** Not started: another drill of the database was running. */
    public static final String NOT_RUN = "not-run";
  }
}
