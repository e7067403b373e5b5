package io.pgdr.pool;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A pool recovery recorded on the lab (one idle session ended, three active ones left) replays against today's code. */
class ConnectionPoolRecoveryReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"pool-recovery-succeeded.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), ConnectionPoolRecoveryWorkflowImpl.class);
  }
}
