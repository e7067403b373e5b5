package io.pgdr.outage;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A transient outage (runbook 000 A, runbook 004 scenario 1): the primary's pod is restarting or
 * briefly unreachable. The run looks again on a durable timer (each check on its timeline), asks
 * to restart the pod if it stays down, verifies the database when it is back, and escalates to a
 * failover, after an approval, once a share of the RTO has passed.
 */
@WorkflowInterface
public interface TransientOutageWorkflow extends RecoveryRun {

  String SCENARIO = "TransientOutage";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport waitForRecovery(TransientOutageRequest request);
}
