package io.pgdr.drill;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Drills of many databases (a directory of targets, or one), at most N at a time, each a
 * {@link FailoverDrillWorkflow} child under its database's drill ID, with one summary at the end.
 * What a drill schedule starts.
 */
@WorkflowInterface
public interface DrillFleetWorkflow {

  String TYPE = "DrillFleet";
  /** What every fleet run's workflow ID starts with (a schedule appends its fire time). */
  String ID_PREFIX = "drills-";

  @WorkflowMethod(name = TYPE)
  DrillFleetSummary drillAll(DrillFleetRequest request);

  /** Each database's drill so far: waiting, running, or its result. */
  @QueryMethod
  DrillFleetSummary progress();
}
