package io.pgdr.failover;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
      "replica-promotion-approved-after-worker-kill.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history(file), ReplicaPromotionWorkflowImpl.class);
  }

  private static WorkflowExecutionHistory history(String file) throws IOException {
    try (InputStream in = ReplicaPromotionReplayTest.class.getResourceAsStream("/histories/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing recorded history " + file);
      }
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
