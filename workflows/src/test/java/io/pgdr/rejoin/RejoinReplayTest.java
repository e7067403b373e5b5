package io.pgdr.rejoin;

import io.pgdr.run.RecordedHistory;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;

/** A rejoin recorded on the lab (the old primary, killed by a failover, rewound and streaming again) replays against today's code. */
class RejoinReplayTest {

  @Test
  void theRejoinOfAnOldPrimaryReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(RecordedHistory.load("rejoin-old-primary.json"), RejoinWorkflowImpl.class);
  }
}
