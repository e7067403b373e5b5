package io.pgdr.run;

import java.time.Instant;

/**
 * A decision as the run recorded it: approved, rejected, timed-out (nobody answered), or aborted
 * (someone stopped the run before its first destructive step).
 *
 * @param by the approver the sender named (checked against the allow-list, not authenticated)
 * @param sentBy who sent the decision, as the sender said, or {@link #SENDER_NOT_GIVEN}; null for a
 *     timeout and in histories recorded before this field
 */
public record ApprovalRecord(String step, String decision, String by, String reason, boolean overrideRpo, Instant at,
    String sentBy) {

  public static final String APPROVED = "approved";
  public static final String REJECTED = "rejected";
  public static final String TIMED_OUT = "timed-out";
  public static final String ABORTED = "aborted";
  /** What a decision that names no sender is recorded as sent by: the UI's dialogs send what the operator pastes. */
  public static final String SENDER_NOT_GIVEN = "sent from the Temporal UI or an API client (identity not given)";

  /** What an approval given by a target's policy is recorded as sent by. */
  public static final String SENT_BY_POLICY = "the target file's approval.policies";

  /** A record without a sender (a timeout). */
  public ApprovalRecord(String step, String decision, String by, String reason, boolean overrideRpo, Instant at) {
    this(step, decision, by, reason, overrideRpo, at, null);
  }

  /** The sender a decision names, or {@link #SENDER_NOT_GIVEN} when it names none. */
  public static String senderOf(String sentBy) {
    return sentBy == null || sentBy.isBlank() ? SENDER_NOT_GIVEN : sentBy;
  }

  /**
   * Who decided and who sent it, as a person reads them: {@code alice, sent by root@db1 (pgdr CLI)}, or
   * {@code alice, sent from the Temporal UI or an API client (identity not given)}.
   */
  public String byAndSender() {
    return (by == null ? "-" : by) + (sentBy == null ? "" : SENDER_NOT_GIVEN.equals(sentBy) ? ", " + sentBy : ", sent by " + sentBy);
  }

  /** A target policy gave this approval, not a person. */
  public boolean byPolicy() {
    return SENT_BY_POLICY.equals(sentBy);
  }

  public boolean approved() {
    return APPROVED.equals(decision);
  }
}
