package io.pgdr.target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may approve destructive steps and how long pgdr waits. An empty {@code approvers} list lets
 * anyone approve; a decision that does not arrive within {@code timeout} escalates and aborts.
 */
public record ApprovalPolicy(Duration timeout, List<String> approvers) {

  public static final ApprovalPolicy DEFAULT = new ApprovalPolicy(null, null);

  public ApprovalPolicy {
    timeout = timeout == null ? Duration.ofMinutes(15) : timeout;
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
  }

  public boolean allows(String who) {
    return approvers.isEmpty() || approvers.contains(who);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (timeout.isNegative() || timeout.isZero()) {
      problems.add("approval.timeout: must be positive, e.g. PT15M");
    }
    return problems;
  }
}
