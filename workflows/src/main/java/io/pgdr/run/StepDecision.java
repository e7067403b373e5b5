package io.pgdr.run;

/**
 * A decision sent by the update {@code decide} (from the Temporal UI or the CLI): which step it
 * answers, approve or reject, who and why. Naming the step keeps a decision meant for one gate
 * from being taken by another.
 *
 * @param overrideRpo accept an estimated data loss above the target's RPO (approvals only)
 * @param sentBy who sent it, as the sender says; see {@link ApprovalDecision#sentBy()}
 */
public record StepDecision(String step, boolean approve, String by, String reason, boolean overrideRpo, String sentBy) {

  /** A decision that does not say who sent it. */
  public StepDecision(String step, boolean approve, String by, String reason, boolean overrideRpo) {
    this(step, approve, by, reason, overrideRpo, null);
  }

  public ApprovalDecision decision() {
    return new ApprovalDecision(by, reason, overrideRpo, sentBy);
  }
}
