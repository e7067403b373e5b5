package io.pgdr.pitr;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Point-in-time recovery from base backups and archived WAL (runbook 000 scenario D): validate the
 * target against the archive, ask, stop the writers and the database, keep the old volume, stream
 * the base backup into a new one, feed the WAL to the recovering server ahead of its replay until it
 * promotes at the target, verify, bring the writers back, report.
 */
@WorkflowInterface
public interface PointInTimeRecoveryWorkflow extends RecoveryRun {

  String SCENARIO = "PointInTimeRecovery";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport recoverToPoint(PitrRequest request);
}
