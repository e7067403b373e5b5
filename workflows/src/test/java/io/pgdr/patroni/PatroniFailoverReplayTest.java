package io.pgdr.patroni;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Patroni failover histories recorded on the Patroni lab replay against today's workflow code: a
 * switchover from a healthy leader (the old leader rejoined), and a failover after the leader's
 * Patroni and server were killed (Patroni's 200 after the key expired; the old leader not rejoined).
 */
class PatroniFailoverReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"patroni-switchover-succeeded.json", "patroni-failover-leader-lost-succeeded.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), PatroniFailoverWorkflowImpl.class);
  }
}
