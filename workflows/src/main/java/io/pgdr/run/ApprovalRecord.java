package io.pgdr.run;

import java.time.Instant;

/**
 * A decision as the run recorded it: approved, rejected, timed-out (nobody answered), or aborted
 * (someone stopped the run before its first destructive step).
 */
public record ApprovalRecord(String step, String decision, String by, String reason, boolean overrideRpo, Instant at) {

  public static final String APPROVED = "approved";
  public static final String REJECTED = "rejected";
  public static final String TIMED_OUT = "timed-out";
  public static final String ABORTED = "aborted";

  public boolean approved() {
    return APPROVED.equals(decision);
  }
}
