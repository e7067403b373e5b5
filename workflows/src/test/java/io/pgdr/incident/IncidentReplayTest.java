package io.pgdr.incident;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An incident recorded on the lab (PostgresDown POSTed to the worker, the promotion approved by the
 * target's promote-within-rpo policy and run as a child) replays against today's code.
 */
class IncidentReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"incident-promotion-by-policy.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), IncidentWorkflowImpl.class);
  }
}
