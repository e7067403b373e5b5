package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import java.util.function.Supplier;

/** Starting a recovery run, the same for every scenario: one per database, a clear refusal otherwise. */
public final class RecoveryStart {

  private RecoveryStart() {}

  public static String start(DatabaseTarget target, Supplier<WorkflowExecution> starter) {
    try {
      return starter.get().getWorkflowId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException(ExitCodes.ALREADY_RUNNING, "a recovery of " + target.namespace() + "/" + target.statefulSet() + " is already running: "
          + e.getExecution().getWorkflowId() + " (run " + e.getExecution().getRunId() + ")",
          "follow it with: pgdr status " + e.getExecution().getWorkflowId() + " --follow");
    }
  }
}
