package io.pgdr.run;

/**
 * One step a scenario declares before it runs: its name (as on the timeline), the system it
 * touches, whether it changes anything, what, and what a person has to do when the run stops
 * after this change was made.
 *
 * @param handBack the instruction the report gives when the run stops after this change was made
 *     and not taken back ("writers stay at 0: scale fabrica-api to 3 once the data is right");
 *     null when the change needs nothing from anyone
 */
public record PlannedStep(String name, String system, boolean destructive, String change, String handBack) {

  public static final String KUBERNETES = "kubernetes";
  public static final String POSTGRES = "postgres";
  public static final String OBJECT_STORE = "object store";
  public static final String PATRONI = "patroni";
  public static final String TEMPORAL = "temporal";

  /** A step that only reads. */
  public static PlannedStep reads(String name, String system, String what) {
    return new PlannedStep(name, system, false, what, null);
  }

  /** A step that changes the cluster: it runs only after the approval, and the ledger records it. */
  public static PlannedStep changes(String name, String system, String what, String handBack) {
    return new PlannedStep(name, system, true, what, handBack);
  }

  /** As the approval and {@code --plan} show it. */
  public String line() {
    return name + " [" + system + (destructive ? ", changes" : ", reads") + "]: " + change;
  }
}
