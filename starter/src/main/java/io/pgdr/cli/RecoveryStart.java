package io.pgdr.cli;

import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import java.util.function.Supplier;

/** Starting a recovery run, the same for every scenario: one per database, a clear refusal otherwise. */
final class RecoveryStart {

  private RecoveryStart() {}

  static String start(DatabaseTarget target, Supplier<WorkflowExecution> starter) {
    try {
      return starter.get().getWorkflowId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException(ExitCodes.ALREADY_RUNNING, "a recovery of " + target.namespace() + "/" + target.statefulSet() + " is already running: "
          + e.getExecution().getWorkflowId() + " (run " + e.getExecution().getRunId() + ")",
          "follow it with: pgdr status " + e.getExecution().getWorkflowId() + " --follow");
    }
  }
}
