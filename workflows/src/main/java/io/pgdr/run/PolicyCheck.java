package io.pgdr.run;

import java.util.List;

/**
 * A target policy's conditions as a run found them before its approval: the policy approves in a
 * person's place only when every condition held. The approval record keeps the ones that held.
 *
 * @param policy its name in the target's {@code approval.policies}
 * @param held each condition that holds, with the figures that show it
 * @param failed each condition that does not, with why
 */
public record PolicyCheck(String policy, List<String> held, List<String> failed) {

  public PolicyCheck {
    held = List.copyOf(held);
    failed = List.copyOf(failed);
  }

  /** Who the approval names: the policy, and the target's owner when the file names one. */
  public String approver(String owner) {
    return "policy " + policy + (owner == null || owner.isBlank() ? "" : " (owner " + owner + ")");
  }
}
