package io.pgdr.restore;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
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
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load(file), RestoreFromBackupWorkflowImpl.class);
  }
}
