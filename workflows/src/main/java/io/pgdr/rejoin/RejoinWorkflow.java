package io.pgdr.rejoin;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Replication re-established (runbook 000 §5, item 2): after a promotion, a failover without
 * Patroni or a point-in-time recovery, the servers left behind (the old primary, standbys on the
 * old timeline) come back as streaming standbys of the primary, after an approval: held stopped,
 * rewound with pg_rewind (or copied afresh with pg_basebackup, the old data directory kept), started,
 * seen streaming in the primary's pg_stat_replication, then unfenced. What they wrote after the fork
 * is discarded, counted and reported.
 */
@WorkflowInterface
public interface RejoinWorkflow extends RecoveryRun {

  String SCENARIO = "Rejoin";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport rejoin(RejoinRequest request);
}
