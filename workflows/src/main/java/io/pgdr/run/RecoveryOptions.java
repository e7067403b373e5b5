package io.pgdr.run;

import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;

/**
 * How every recovery is started: its workflow ID is the database's, so a second recovery of the
 * same database while one runs is refused by Temporal itself; a finished one can be followed by
 * the next.
 */
public final class RecoveryOptions {

  private RecoveryOptions() {}

  public static WorkflowOptions forTarget(DatabaseTarget target, String scenario) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(target.recoveryWorkflowId())
        .setTaskQueue(TaskQueues.PGDR)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary(scenario + " of " + target.name())
        .build();
  }
}
