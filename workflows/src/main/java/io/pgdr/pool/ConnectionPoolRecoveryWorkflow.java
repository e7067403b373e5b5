package io.pgdr.pool;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Connection pool recovery (runbook 004 scenario 4): the primary's connections against its limit,
 * the sessions idle in a transaction past a threshold and the long-running queries shown in the
 * approval, then those idle sessions ended (never an active one, never pgdr's), and the primary
 * verified.
 */
@WorkflowInterface
public interface ConnectionPoolRecoveryWorkflow extends RecoveryRun {

  String SCENARIO = "ConnectionPoolRecovery";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport recoverPool(PoolRecoveryRequest request);
}
