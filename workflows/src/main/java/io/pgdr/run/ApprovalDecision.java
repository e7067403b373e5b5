package io.pgdr.run;

/**
 * What a human sends to answer an approval: who, why, and whether they accept a data loss above
 * the RPO. The workflow stamps the time it received it.
 *
 * @param by the approver the sender names; checked against the target's approvers, not authenticated
 * @param sentBy who sent it, as the sender says (the CLI: {@code root@host (pgdr CLI)}); null when
 *     not given (the Temporal UI, an API client, histories recorded before this field). Workflow
 *     code cannot see the Temporal client identity, so this too is claimed, not proven
 */
public record ApprovalDecision(String by, String reason, boolean overrideRpo, String sentBy) {

  /** A decision that does not say who sent it. */
  public ApprovalDecision(String by, String reason, boolean overrideRpo) {
    this(by, reason, overrideRpo, null);
  }
}
