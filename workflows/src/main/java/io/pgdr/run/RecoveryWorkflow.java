package io.pgdr.run;

import io.pgdr.ports.Escalation;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.DatabaseTarget;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * What every recovery scenario shares: the RTO clock started at the incident, the approval gate
 * answered by signal, the timeline, escalations, the status query and the report that ends the
 * run (a failed run fails the workflow and carries the report). A scenario extends this and
 * writes only its own steps.
 */
public abstract class RecoveryWorkflow implements RecoveryRun {

  private static final Logger log = Workflow.getLogger(RecoveryWorkflow.class);

  protected final Timeline timeline = new Timeline();
  private final NotificationActivities notifications = ActivityStubs.notifications();
  private final String scenario;

  protected DatabaseTarget target;
  protected String phase = "diagnosing";
  private ApprovalGate gate;
  private RtoClock clock;
  private RecoveryReport report;

  protected RecoveryWorkflow(String scenario) {
    this.scenario = scenario;
  }

  /** Takes the target and starts the RTO clock; returns the incident start (now when not given). */
  protected Instant begin(DatabaseTarget target, Instant incidentStart) {
    this.target = target;
    gate = new ApprovalGate(target.approval());
    Instant start = incidentStart == null ? now() : incidentStart;
    clock = new RtoClock(start, target.objectives().rto());
    clock.start(this::escalate);
    return start;
  }

  /**
   * The gate before the first destructive step: a fitting pre-approval (the CLI's --yes) is
   * recorded and used, otherwise the run waits for a decision; nobody answering in time escalates.
   */
  protected ApprovalRecord approval(ApprovalRequest request, ApprovalDecision preApproval) {
    if (preApproval != null) {
      ApprovalRecord given = gate.preApproved(request, preApproval);
      if (given != null) {
        timeline.skip("approval", "pre-approved by " + given.by() + " (" + given.reason() + ")");
        return given;
      }
    }
    phase = "awaiting-approval";
    return timeline.step("approval", () -> {
      ApprovalRecord decision = gate.await(request);
      timeline.note(decision.decision() + (decision.by() == null ? "" : " by " + decision.by()));
      if (ApprovalRecord.TIMED_OUT.equals(decision.decision())) {
        escalate("approval to " + request.summary() + " not answered within " + gate.timeout() + "; run aborted");
      }
      return decision;
    });
  }

  /** The deadline an approval request shows, counted from {@code now}. */
  protected Instant approvalDeadline(Instant now) {
    return gate.deadlineFrom(now);
  }

  protected void escalate(String reason) {
    log.warn("escalating: {}", reason);
    notifications.escalate(target.notifications(), new Escalation(Workflow.getInfo().getWorkflowId(), target.name(), scenario, reason, now()));
  }

  protected static String abortMessage(ApprovalRecord decision) {
    return ApprovalRecord.REJECTED.equals(decision.decision())
        ? "rejected by " + decision.by() + (decision.reason() == null ? "" : " (" + decision.reason() + ")") + ": nothing was changed"
        : "no approval within the timeout: nothing was changed";
  }

  /** RPO figures for the report, or null when the run got no estimate. */
  protected abstract RpoFigures rpo();

  /** What a restore did, for the report; null for scenarios that restore nothing. */
  protected RestoreSummary restoreSummary() {
    return null;
  }

  protected RecoveryReport finish(String outcome, String message) {
    return finish(outcome, message, null, null, null);
  }

  /**
   * Ends the run with its report. A failed run throws {@link RecoveryFailure} (the workflow
   * fails, the report rides along); others return the report as the result.
   *
   * @param recoveredAt when the database was verified (RTO's end); null when it was not
   */
  protected RecoveryReport finish(String outcome, String message, String newPrimary, VerificationResult verification, Instant recoveredAt) {
    phase = outcome;
    report = new RecoveryReport(scenario, target.name(), Workflow.getInfo().getWorkflowId(), outcome, message,
        clock.incidentStart(), now(), newPrimary, clock.figures(recoveredAt), rpo(), gate.records(), timeline.steps(),
        verification, restoreSummary());
    Workflow.setCurrentDetails(outcome + ": " + message);
    if (RecoveryReport.FAILED.equals(outcome)) {
      log.error("recovery failed: {}", message);
      throw RecoveryFailure.of(report);
    }
    return report;
  }

  @Override
  public void approve(ApprovalDecision decision) {
    if (gate != null) { // a signal that arrives before the run has read its target finds nothing pending
      gate.onDecision(decision, true);
    }
  }

  @Override
  public void reject(ApprovalDecision decision) {
    if (gate != null) {
      gate.onDecision(decision, false);
    }
  }

  @Override
  public RunStatus status() {
    List<String> warnings = new ArrayList<>();
    if (clock != null) {
      warnings.addAll(clock.warnings());
    }
    if (gate != null) {
      warnings.addAll(gate.refusals());
    }
    return new RunStatus(scenario, target == null ? null : target.name(), phase, timeline.current(),
        gate == null ? null : gate.pending(), timeline.steps(), gate == null ? List.of() : gate.records(),
        warnings, clock != null && clock.breached(), report);
  }

  protected static String runId() {
    return Workflow.getInfo().getRunId();
  }

  protected static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
