package io.pgdr.run;

import io.pgdr.target.ApprovalPolicy;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Holds a run before a destructive step until a human decides. Decisions arrive by update or by
 * signal, and both go through the same rules (something pending, approver allowed, RPO override
 * when the loss is above the RPO). An update that does not fit is refused to its sender at once; a
 * signal cannot answer, so its refusal is kept as a warning the sender sees in the run's status.
 * An abort stops the run at the gate, or before it when it comes earlier.
 */
public final class ApprovalGate {

  private static final Logger log = Workflow.getLogger(ApprovalGate.class);

  private final ApprovalPolicy policy;
  private final List<ApprovalRecord> records = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private ApprovalRequest pending;
  private ApprovalRecord decision;
  private ApprovalRecord abort;
  /** The pending request was asked by {@link #open}: only a decision naming its step answers it. */
  private boolean stepNamedOnly;

  public ApprovalGate(ApprovalPolicy policy) {
    this.policy = policy;
  }

  /**
   * Waits for a decision on {@code request} until the policy's timeout.
   *
   * @param onAsked runs once the request is pending, before the wait
   * @return the decision; {@link ApprovalRecord#TIMED_OUT} when nobody answered in time
   */
  public ApprovalRecord await(ApprovalRequest request, Runnable onAsked) {
    if (abort != null) {
      return abort;
    }
    pending = request;
    decision = null;
    stepNamedOnly = false;
    onAsked.run();
    // the timer Workflow.await(timeout, ...) would start, with a name the UI shows
    Promise<Void> timeout = Workflow.newTimer(policy.timeout(),
        TimerOptions.newBuilder().setSummary("approval timeout (" + policy.timeout() + ")").build());
    Workflow.await(() -> decision != null || timeout.isCompleted());
    ApprovalRecord result = decision != null
        ? decision
        : new ApprovalRecord(request.step(), ApprovalRecord.TIMED_OUT, null,
            "no decision within " + policy.timeout(), false, Timeline.now());
    if (decision == null) {
      records.add(result);
    }
    pending = null;
    return result;
  }

  /**
   * Asks for a decision without waiting: pending until {@link #take()} finds one. A run that asks this
   * way may ask several things in turn (a restart, then a failover), so only the update {@code decide},
   * which names the step, answers it: a signal carries no step, and could land on a request asked
   * after the one its sender read.
   */
  public void open(ApprovalRequest request) {
    pending = request;
    decision = abort;
    stepNamedOnly = true;
  }

  /** A decision arrived on the request {@link #open} made pending. */
  public boolean hasAnswer() {
    return pending != null && decision != null;
  }

  /** Takes the decision on the request {@link #open} made pending, which is then no longer pending; null until there is one. */
  public ApprovalRecord take() {
    if (!hasAnswer()) {
      return null;
    }
    ApprovalRecord taken = decision;
    pending = null;
    decision = null;
    return taken;
  }

  /** Withdraws a request nobody answered; false when there was none. */
  public boolean withdraw() {
    if (pending == null) {
      return false;
    }
    pending = null;
    return true;
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

  /**
   * Records the approval a target policy gives when all its conditions hold; otherwise keeps why
   * not as a warning and returns null, and a person decides. A loss above the RPO is never
   * approved by a policy.
   */
  public ApprovalRecord byPolicy(ApprovalRequest request, PolicyCheck check, String owner) {
    if (!check.failed().isEmpty() || request.rpoExceeded()) {
      refusals.add("policy " + check.policy() + " did not approve: " + String.join("; ", check.failed().isEmpty()
          ? List.of("the estimated loss is above the RPO") : check.failed()) + "; a person decides");
      return null;
    }
    ApprovalRecord record = new ApprovalRecord(request.step(), ApprovalRecord.APPROVED, check.approver(owner),
        "conditions held: " + String.join("; ", check.held()), false, Timeline.now(), ApprovalRecord.SENT_BY_POLICY);
    records.add(record);
    return record;
  }

  /** Why a decision sent by update is refused, or null when it is taken. */
  public String refusalOf(StepDecision incoming) {
    if (pending == null) {
      return "no approval is pending";
    }
    if (!pending.step().equals(incoming.step())) {
      return "the run awaits approval of step '" + pending.step() + "', not '" + incoming.step() + "'";
    }
    if (decision != null) {
      return "step " + pending.step() + " was already " + decision.decision() + (decision.by() == null ? "" : " by " + decision.by());
    }
    return refusalOf(pending, incoming.decision(), incoming.approve());
  }

  /** Takes a decision sent by update, checked beforehand by {@link #refusalOf(StepDecision)}. */
  public ApprovalRecord decide(StepDecision incoming) {
    onDecision(incoming.decision(), incoming.approve(), true);
    return decision;
  }

  /** Why an abort is refused, or null when it is taken. */
  public String refusalOf(AbortRequest incoming) {
    if (incoming == null || incoming.by() == null || incoming.by().isBlank()) {
      return "an abort must say who aborts";
    }
    if (!policy.allows(incoming.by())) {
      return incoming.by() + " is not among the approvers " + policy.approvers();
    }
    if (abort != null) {
      return "already aborted by " + abort.by();
    }
    return null;
  }

  /** Stops the run at the gate: at once when it waits there, as soon as it gets there otherwise. */
  public ApprovalRecord abort(AbortRequest incoming) {
    abort = new ApprovalRecord(pending == null ? "run" : pending.step(), ApprovalRecord.ABORTED, incoming.by(), incoming.reason(),
        false, Timeline.now(), ApprovalRecord.senderOf(incoming.sentBy()));
    records.add(abort);
    if (pending != null && decision == null) {
      decision = abort;
    }
    return abort;
  }

  /** The abort taken, or null. */
  public ApprovalRecord aborted() {
    return abort;
  }

  public void onDecision(ApprovalDecision incoming, boolean approve) {
    onDecision(incoming, approve, false);
  }

  private void onDecision(ApprovalDecision incoming, boolean approve, boolean stepNamed) {
    String refusal = pending == null ? "no approval is pending"
        : stepNamedOnly && !stepNamed ? "this run asks about one step at a time (now '" + pending.step() + "'): answer with the update"
            + " decide, which names the step (pgdr approve RUN sends it)"
        : refusalOf(pending, incoming, approve);
    if (refusal != null) {
      log.warn("approval signal ignored: {}", refusal);
      refusals.add((approve ? "approve" : "reject") + (incoming == null ? "" : " by " + incoming.by() + " ("
          + ApprovalRecord.senderOf(incoming.sentBy()) + ")") + " ignored: " + refusal);
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
    return new ApprovalRecord(request.step(), verdict, incoming.by(), incoming.reason(), incoming.overrideRpo(), Timeline.now(),
        ApprovalRecord.senderOf(incoming.sentBy()));
  }

  /** The run was cancelled while it waited: nothing is pending any more. */
  void cancelled() {
    pending = null;
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
