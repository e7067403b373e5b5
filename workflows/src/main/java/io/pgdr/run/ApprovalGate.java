package io.pgdr.run;

import io.pgdr.target.ApprovalPolicy;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Holds a run before a destructive step until a human decides. Decisions arrive by signal; one
 * that does not fit (nothing pending, approver not allowed, RPO override missing) is not taken,
 * and the refusal is kept as a warning so the sender sees why in the run's status.
 */
public final class ApprovalGate {

  private static final Logger log = Workflow.getLogger(ApprovalGate.class);

  private final ApprovalPolicy policy;
  private final List<ApprovalRecord> records = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private ApprovalRequest pending;
  private ApprovalRecord decision;

  public ApprovalGate(ApprovalPolicy policy) {
    this.policy = policy;
  }

  /**
   * Waits for a decision on {@code request} until the policy's timeout.
   *
   * @return the decision; {@link ApprovalRecord#TIMED_OUT} when nobody answered in time
   */
  public ApprovalRecord await(ApprovalRequest request) {
    pending = request;
    decision = null;
    boolean answered = Workflow.await(policy.timeout(), () -> decision != null);
    ApprovalRecord result = answered
        ? decision
        : new ApprovalRecord(request.step(), ApprovalRecord.TIMED_OUT, null,
            "no decision within " + policy.timeout(), false, Timeline.now());
    if (!answered) {
      records.add(result);
    }
    pending = null;
    return result;
  }

  /** Records a decision taken before the run started (the CLI's --yes), if it fits the request. */
  public ApprovalRecord preApproved(ApprovalRequest request, ApprovalDecision decision) {
    String refusal = refusalOf(request, decision, true);
    if (refusal != null) {
      refusals.add("pre-approval not used: " + refusal);
      return null;
    }
    ApprovalRecord record = record(request, ApprovalRecord.APPROVED, decision);
    records.add(record);
    return record;
  }

  public void onDecision(ApprovalDecision incoming, boolean approve) {
    String refusal = pending == null ? "no approval is pending" : refusalOf(pending, incoming, approve);
    if (refusal != null) {
      log.warn("approval signal ignored: {}", refusal);
      refusals.add((approve ? "approve" : "reject") + " by " + incoming.by() + " ignored: " + refusal);
      return;
    }
    if (decision != null) {
      return; // the first valid decision wins; a later one changes nothing
    }
    decision = record(pending, approve ? ApprovalRecord.APPROVED : ApprovalRecord.REJECTED, incoming);
    records.add(decision);
  }

  private String refusalOf(ApprovalRequest request, ApprovalDecision incoming, boolean approve) {
    if (incoming == null || incoming.by() == null || incoming.by().isBlank()) {
      return "a decision must say who decides";
    }
    if (!policy.allows(incoming.by())) {
      return incoming.by() + " is not among the approvers " + policy.approvers();
    }
    if (approve && request.rpoExceeded() && !incoming.overrideRpo()) {
      return "the estimated data loss exceeds the RPO; approve with an RPO override to accept it";
    }
    return null;
  }

  private static ApprovalRecord record(ApprovalRequest request, String verdict, ApprovalDecision incoming) {
    return new ApprovalRecord(request.step(), verdict, incoming.by(), incoming.reason(), incoming.overrideRpo(), Timeline.now());
  }

  public ApprovalRequest pending() {
    return pending;
  }

  public List<ApprovalRecord> records() {
    return List.copyOf(records);
  }

  public List<String> refusals() {
    return List.copyOf(refusals);
  }

  public Instant deadlineFrom(Instant now) {
    return now.plus(policy.timeout());
  }

  public Duration timeout() {
    return policy.timeout();
  }
}
