package io.pgdr.drill;

import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;

/**
 * Runs recorded on the lab replay against today's code: a restore rehearsal that passed (in a scratch
 * database, and in a scratch StatefulSet), a switchover, a fleet of one drill, and a restore recorded since a recovery asks its database's drill to stop.
 */
class FailoverDrillReplayTest {

  @Test
  void aRehearsalReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load("drill-restore-rehearsal-passed.json"), FailoverDrillWorkflowImpl.class);
  }

  @Test
  void aRehearsalInAScratchStatefulSetReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load("drill-rehearsal-scratch-statefulset.json"), FailoverDrillWorkflowImpl.class);
  }

  @Test
  void aSwitchoverReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load("drill-switchover-passed.json"), FailoverDrillWorkflowImpl.class);
  }

  @Test
  void aFleetReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load("drill-fleet-one-database.json"), DrillFleetWorkflowImpl.class);
  }

  @Test
  void aRecoveryThatAsksTheDrillToStopReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load("restore-after-drill-yields-change.json"),
        RestoreFromBackupWorkflowImpl.class);
  }
}
