package io.pgdr.outage;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A wait recorded on the lab (primary killed, its pod deleted and brought back at the fourth check) replays against today's code. */
class TransientOutageReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"transient-outage-back.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), TransientOutageWorkflowImpl.class);
  }
}
