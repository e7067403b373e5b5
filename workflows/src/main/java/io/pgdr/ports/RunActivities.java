package io.pgdr.ports;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/** What Temporal knows of pgdr's other runs: workflow code cannot ask it, an activity can. */
@ActivityInterface
public interface RunActivities {

  /** One describe call to the frontend; a short outage is retried. */
  CallOptions DESCRIBE = CallOptions.activity(Duration.ofSeconds(15), 5, Duration.ofSeconds(1));

  CallTable<RunActivities> CALLS = CallTable.of(RunActivities.class)
      .calls(DESCRIBE, "openRun")
      .build();

  /**
   * The run ID of the open (running) workflow {@code workflowId} in this namespace; null when no
   * run under that ID is open. Read-only.
   */
  @ActivityMethod
  String openRun(String workflowId);
}
