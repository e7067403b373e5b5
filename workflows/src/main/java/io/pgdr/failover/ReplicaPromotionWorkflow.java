package io.pgdr.failover;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Primary-replica failover without Patroni (runbook 004 Scenario 3, runbook 000 scenario B):
 * diagnose, choose the most caught-up replica, ask, fence the old primary, promote, repoint the
 * Service and ConfigMap, restart the apps, verify, report.
 */
@WorkflowInterface
public interface ReplicaPromotionWorkflow extends RecoveryRun {

  String SCENARIO = "ReplicaPromotion";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport promote(ReplicaPromotionRequest request);
}
