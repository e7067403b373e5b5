package io.pgdr.run;

/**
 * Who stops a run before its first destructive step, and why.
 *
 * @param sentBy who sent it, as the sender says; see {@link ApprovalDecision#sentBy()}
 */
public record AbortRequest(String by, String reason, String sentBy) {

  /** An abort that does not say who sent it. */
  public AbortRequest(String by, String reason) {
    this(by, reason, null);
  }
}
