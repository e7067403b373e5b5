package io.pgdr.restore;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Restore from a backup in S3 (runbook 000 scenario C, runbook 004 Scenario 2, corruption):
 * diagnose, choose the latest valid backup, ask, stop the writers, restore into a new database
 * beside the live one, check it against the backup, swap the names (the old database is kept),
 * verify, bring the writers back, report.
 */
@WorkflowInterface
public interface RestoreFromBackupWorkflow extends RecoveryRun {

  String SCENARIO = "RestoreFromBackup";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport restore(RestoreRequest request);
}
