package io.pgdr.rejoin;

import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

/**
 * A recovery's last step: the rejoin of the servers it left behind, offered as a run of its own
 * under the database's rejoin ID, which asks its own approval. The recovery does not wait for it:
 * its RTO is over, and its report says where the rejoin waits.
 */
public final class RejoinOffer {

  private RejoinOffer() {}

  /**
   * Starts the rejoin and returns once Temporal has it, with the sentence the timeline shows.
   *
   * @param replicas the StatefulSet's replica count to come back to; null: as it is
   */
  public static String offer(DatabaseTarget target, String requestedBy, String offeredBy, Integer replicas) {
    String id = target.rejoinWorkflowId();
    ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
        .setWorkflowId(id)
        // the rejoin waits for a person and outlives the recovery that offered it
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setWorkflowTaskTimeout(RecoveryOptions.WORKFLOW_TASK_TIMEOUT)
        .setStaticSummary(RejoinWorkflow.SCENARIO + " of " + target.name() + ", offered by " + offeredBy)
        // listed by database and scenario from its start, as a run the CLI starts is
        .setTypedSearchAttributes(RunSearchAttributes.atStart(target.name(), RejoinWorkflow.SCENARIO))
        .build();
    RejoinWorkflow rejoin = Workflow.newChildWorkflowStub(RejoinWorkflow.class, options);
    Async.function(rejoin::rejoin, new RejoinRequest(target, null, requestedBy, null, null, replicas));
    try {
      Workflow.getWorkflowExecution(rejoin).get();
      return "rejoin offered as " + id + ": it asks its own approval (pgdr status " + id + "; pgdr approve " + id + ")";
    } catch (ChildWorkflowFailure failure) {
      if (failure.getCause() instanceof WorkflowExecutionAlreadyStarted) {
        return "a rejoin already runs as " + id + ": follow it (pgdr status " + id + ")";
      }
      return "the rejoin could not be offered (" + Timeline.rootMessage(failure) + "): start it with pgdr rejoin --target FILE";
    }
  }
}
