package io.pgdr.target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may approve destructive steps and how long pgdr waits. An empty {@code approvers} list lets
 * anyone approve; a decision that does not arrive within {@code timeout} escalates and aborts.
 *
 * @param policies decisions this target approves in advance, each under conditions the run checks
 *     and records ({@link #PROMOTE_WITHIN_RPO}); none by default. The list of names is closed: no
 *     policy exists for a restore, a point-in-time recovery, a volume replacement or ending sessions
 */
public record ApprovalPolicy(Duration timeout, List<String> approvers, List<String> policies) {

  /**
   * A promotion (ReplicaPromotion) is approved when the candidate's estimated loss is measured and
   * within the RPO, and every pod that could still take writes, the old primary first, is fenced
   * before the promotion.
   */
  public static final String PROMOTE_WITHIN_RPO = "promote-within-rpo";
  private static final List<String> KNOWN_POLICIES = List.of(PROMOTE_WITHIN_RPO);

  public static final ApprovalPolicy DEFAULT = new ApprovalPolicy(null, null, null);

  public ApprovalPolicy {
    timeout = timeout == null ? Duration.ofMinutes(15) : timeout;
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
    policies = policies == null ? List.of() : List.copyOf(policies);
  }

  /** Who may decide and how long pgdr waits, with no policy. */
  public ApprovalPolicy(Duration timeout, List<String> approvers) {
    this(timeout, approvers, null);
  }

  public boolean has(String policy) {
    return policies.contains(policy);
  }

  public boolean allows(String who) {
    return approvers.isEmpty() || approvers.contains(who);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (timeout.isNegative() || timeout.isZero()) {
      problems.add("approval.timeout: must be positive, e.g. PT15M");
    }
    for (String policy : policies) {
      if (!KNOWN_POLICIES.contains(policy)) {
        problems.add("approval.policies: " + Echo.quoted(policy) + " is not a policy pgdr knows (" + String.join(", ", KNOWN_POLICIES)
            + "); restores, point-in-time recoveries, volume replacements and ending sessions always ask a person");
      }
    }
    return problems;
  }
}
