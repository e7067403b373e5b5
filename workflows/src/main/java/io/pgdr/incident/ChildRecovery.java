package io.pgdr.incident;

import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.outage.TransientOutageRequest;
import io.pgdr.outage.TransientOutageWorkflow;
import io.pgdr.patroni.PatroniFailoverRequest;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import io.pgdr.pool.PoolRecoveryRequest;
import io.pgdr.ports.FailureTypes;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.StopRun;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * A recovery one run starts as its child (an incident's recommendation, a wait's escalation) and
 * waits for: its report, also when it failed, becomes part of the parent's.
 */
public final class ChildRecovery {

  private final String scenario;
  private final String workflowId;
  private RecoveryReport report;

  /**
   * @param workflowId the child's ID: the database's recovery ID, or, from within the database's own
   *     recovery, that ID with a suffix (the child then holds the one-at-a-time guard through its parent)
   */
  public ChildRecovery(String scenario, String workflowId) {
    this.scenario = scenario;
    this.workflowId = workflowId;
  }

  /**
   * Starts the child and waits for its report. A child that did not succeed (failed, aborted,
   * cancelled, refused) stops the parent ({@link StopRun}) with its reason; {@link #report()} keeps
   * what it reported.
   *
   * @param approval the parent's approval passed on as the child's pre-approval, checked by the
   *     child against its own diagnosis; null lets the child ask (or apply a target policy) itself
   */
  public RecoveryReport run(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision approval, String startedBy) {
    return run(target, incidentStart, requestedBy, approval, startedBy, null);
  }

  /** @param idleLongerThan a pool recovery's threshold; null: its default */
  public RecoveryReport run(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision approval, String startedBy,
      Duration idleLongerThan) {
    ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        // a recovery decides for itself whether it may stop midway: its parent cancelled, or lost, never cuts it short
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setCancellationType(ChildWorkflowCancellationType.ABANDON)
        .setStaticSummary(scenario + " started by " + startedBy)
        .build();
    try {
      report = switch (scenario) {
        case ReplicaPromotionWorkflow.SCENARIO -> Workflow.newChildWorkflowStub(ReplicaPromotionWorkflow.class, options)
            .promote(new ReplicaPromotionRequest(target, incidentStart, requestedBy, approval, false));
        case PatroniFailoverWorkflow.SCENARIO -> Workflow.newChildWorkflowStub(PatroniFailoverWorkflow.class, options)
            .failover(new PatroniFailoverRequest(target, incidentStart, requestedBy, approval, false, null, false));
        case ConnectionPoolRecoveryWorkflow.SCENARIO -> Workflow.newChildWorkflowStub(ConnectionPoolRecoveryWorkflow.class, options)
            .recoverPool(new PoolRecoveryRequest(target, incidentStart, requestedBy, approval, false, idleLongerThan));
        case TransientOutageWorkflow.SCENARIO -> Workflow.newChildWorkflowStub(TransientOutageWorkflow.class, options)
            .waitForRecovery(new TransientOutageRequest(target, incidentStart, requestedBy, approval, false, null, null));
        default -> throw new IllegalStateException("no child run for " + scenario);
      };
      if (!RecoveryReport.SUCCEEDED.equals(report.outcome())) {
        // rejected, not approved in time: nothing was recovered, whatever the child's own run says of itself
        throw new StopRun(scenario + " " + workflowId + " ended " + report.outcome() + ": " + report.message());
      }
      return report;
    } catch (ChildWorkflowFailure failure) {
      throw stopped(target, failure);
    }
  }

  /**
   * A parent's approval as the child's pre-approval; null for none, or for one a target policy
   * gave (the child checks the policy again on its own diagnosis).
   */
  public static ApprovalDecision passedOn(ApprovalRecord given, String where) {
    if (given == null || given.byPolicy() || given.by() == null) {
      return null;
    }
    return new ApprovalDecision(given.by(), "approved in " + where + (given.reason() == null ? "" : ": " + given.reason()),
        given.overrideRpo(), given.sentBy());
  }

  private StopRun stopped(DatabaseTarget target, ChildWorkflowFailure failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof ApplicationFailure app && FailureTypes.RECOVERY_FAILED.equals(app.getType())) {
      report = app.getDetails().get(RecoveryReport.class);
      return new StopRun(scenario + " " + workflowId + " failed: " + report.message());
    }
    if (cause instanceof WorkflowExecutionAlreadyStarted) {
      return new StopRun("a recovery of " + target.namespace() + "/" + target.statefulSet() + " is already running as " + workflowId
          + ": follow it (pgdr status " + workflowId + ") instead of starting another");
    }
    if (cause instanceof CanceledFailure) {
      return new StopRun(scenario + " " + workflowId + " was cancelled; its report is in its status (pgdr status " + workflowId + ")");
    }
    return new StopRun(scenario + " " + workflowId + " ended: " + Timeline.rootMessage(failure));
  }

  /** The child's report: null before it ended, or when it ended without one. */
  public RecoveryReport report() {
    return report;
  }

  public String workflowId() {
    return workflowId;
  }
}
