package io.pgdr.patroni;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Failover of a Patroni-managed database through Patroni's REST API (runbook 000 scenario B, as
 * {@code patronictl failover --candidate} does it): diagnose through Patroni and SQL, choose the
 * candidate Patroni would accept, ask, {@code POST /failover} or {@code /switchover}, follow the
 * cluster until the candidate leads, repoint what Patroni does not drive, restart the apps, verify,
 * and report whether the old leader rejoined.
 */
@WorkflowInterface
public interface PatroniFailoverWorkflow extends RecoveryRun {

  String SCENARIO = "PatroniFailover";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport failover(PatroniFailoverRequest request);
}
