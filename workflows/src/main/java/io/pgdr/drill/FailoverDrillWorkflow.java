package io.pgdr.drill;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A drill (runbook 000 §6, "verify backups", "test failover"): proves that a recovery of the
 * database works now and measures its RTO and RPO against the target's objectives, without
 * touching the application's data. Runs as {@code drill-<namespace>.<statefulSet>}, one at a time;
 * the database's recovery cancels it.
 */
@WorkflowInterface
public interface FailoverDrillWorkflow extends RecoveryRun {

  String SCENARIO = "FailoverDrill";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport drill(FailoverDrillRequest request);
}
