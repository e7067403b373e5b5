package io.pgdr.run;

/**
 * One change a run made, or began, in its report.
 *
 * @param state {@code under way} (begun, not finished: it may be partly done), {@code made},
 *     {@code handed back} (the run itself brought it back, e.g. the writers restarted) or
 *     {@code compensated} (undone when the run stopped)
 * @param handBack what a person has to do about it now; null when nothing
 */
public record ChangeRecord(String step, String system, String change, String state, String handBack) {

  public static final String UNDER_WAY = "under way";
  public static final String MADE = "made";
  public static final String HANDED_BACK = "handed back";
  public static final String COMPENSATED = "compensated";

  /** Still in the cluster as the run left it. */
  public boolean standing() {
    return UNDER_WAY.equals(state) || MADE.equals(state);
  }
}
