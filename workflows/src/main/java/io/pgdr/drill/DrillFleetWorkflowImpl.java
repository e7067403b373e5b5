package io.pgdr.drill;

import io.pgdr.drill.DrillFleetSummary.DrillResult;
import io.pgdr.ports.FailureTypes;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts each database's drill as a child under its drill ID, never more than the request's
 * concurrency at once, and keeps each one's result. A cancelled fleet cancels its drills, which
 * clean up their scratch copies.
 */
public class DrillFleetWorkflowImpl implements DrillFleetWorkflow {

  private final List<DrillResult> results = new ArrayList<>();
  private int running;

  @Override
  public DrillFleetSummary drillAll(DrillFleetRequest request) {
    List<DatabaseTarget> targets = request.targets() == null ? List.of() : request.targets();
    for (DatabaseTarget target : targets) {
      results.add(new DrillResult(target.name(), target.drillWorkflowId(), DrillResult.WAITING, null, null, null));
    }
    List<Promise<Void>> drills = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      Workflow.await(() -> running < request.concurrency());
      drills.add(start(i, targets.get(i), request));
    }
    Promise.allOf(drills).get();
    return progress();
  }

  private Promise<Void> start(int index, DatabaseTarget target, DrillFleetRequest request) {
    running++;
    results.set(index, with(results.get(index), DrillResult.RUNNING, null, null, null));
    FailoverDrillWorkflow drill = Workflow.newChildWorkflowStub(FailoverDrillWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(target.drillWorkflowId())
        // a fleet cancelled or terminated asks its drills to stop, which drops their scratch copies
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        .setStaticSummary(FailoverDrillWorkflow.SCENARIO + " of " + target.name() + " in " + Workflow.getInfo().getWorkflowId())
        .build());
    FailoverDrillRequest drillRequest = new FailoverDrillRequest(target, null, request.requestedBy(), null, null, request.mode());
    return Async.function(drill::drill, drillRequest).handle((report, failure) -> {
      running--;
      results.set(index, failure == null ? ended(results.get(index), report) : failed(results.get(index), failure));
      return null;
    });
  }

  private static DrillResult ended(DrillResult drill, RecoveryReport report) {
    boolean passed = RecoveryReport.SUCCEEDED.equals(report.outcome());
    return with(drill, passed ? DrillResult.PASSED : DrillResult.FAILED, report.rto() == null ? null : report.rto().measuredSeconds(),
        report.rpo() == null ? null : report.rpo().lostSeconds(), report.message());
  }

  private static DrillResult failed(DrillResult drill, RuntimeException failure) {
    Throwable cause = failure instanceof ChildWorkflowFailure child ? child.getCause() : failure;
    if (cause instanceof ApplicationFailure app && FailureTypes.RECOVERY_FAILED.equals(app.getType())) {
      RecoveryReport report = app.getDetails().get(RecoveryReport.class);
      return ended(drill, report);
    }
    if (failure.getCause() instanceof WorkflowExecutionAlreadyStarted || failure instanceof ChildWorkflowFailure c
        && c.getCause() instanceof WorkflowExecutionAlreadyStarted) {
      return with(drill, DrillResult.NOT_RUN, null, null, "another drill of " + drill.database() + " was running as " + drill.workflowId());
    }
    return with(drill, DrillResult.FAILED, null, null, Timeline.rootMessage(failure));
  }

  private static DrillResult with(DrillResult drill, String state, Double rto, Double rpo, String message) {
    return new DrillResult(drill.database(), drill.workflowId(), state, rto, rpo, message);
  }

  @Override
  public DrillFleetSummary progress() {
    return new DrillFleetSummary(results);
  }
}
