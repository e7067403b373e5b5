package io.pgdr.restore;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restore histories recorded on the lab replay against today's workflow code: into the live
 * primary, and onto a primary recreated on a new volume (both with the writers' readiness check).
 * A change that would break a restore in progress fails here instead of in production.
 */
class RestoreFromBackupReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "restore-into-live-primary-succeeded.json",
      "restore-rebuilt-primary-succeeded.json"})
  void recordedRunReplaysWithoutNondeterminism(String file) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(history(file), RestoreFromBackupWorkflowImpl.class);
  }

  private static WorkflowExecutionHistory history(String file) throws IOException {
    try (InputStream in = RestoreFromBackupReplayTest.class.getResourceAsStream("/histories/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing recorded history " + file);
      }
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
