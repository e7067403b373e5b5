package io.pgdr.pitr;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Point-in-time recovery histories recorded on the lab replay against today's workflow code: a
 * recovery to a time, approved with --yes, promoted on timeline 2. A change that would break a
 * recovery in progress fails here instead of in production.
 */
class PointInTimeRecoveryReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"pitr-to-time-succeeded.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), PointInTimeRecoveryWorkflowImpl.class);
  }
}
