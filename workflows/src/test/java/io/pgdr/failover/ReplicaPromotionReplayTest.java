package io.pgdr.failover;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Histories recorded from real runs on the lab replay against today's workflow code: a change that
 * would break a run already in progress (a new command order, a step added without versioning)
 * fails here instead of in production.
 */
class ReplicaPromotionReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "replica-promotion-drill-succeeded.json",
      "replica-promotion-approved-after-worker-kill.json",
      // since the version that offers the rejoin of the pods it fenced (a run of its own)
      "failover-offering-rejoin.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), ReplicaPromotionWorkflowImpl.class);
  }
}
