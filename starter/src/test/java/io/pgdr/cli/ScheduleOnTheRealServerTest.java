package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a Temporal Schedule does to a workflow ID, which the drill reckons with: a recovery started
 * by a schedule directly is refused (the drill's own schedules start a fleet, whose drills run under
 * their databases' IDs; DrillEndToEndIT creates, triggers, describes, pauses and deletes one).
 */
@org.junit.jupiter.api.Tag("real-servers")
class ScheduleOnTheRealServerTest {

  @RegisterExtension
  static final DevServerWithWorker server = new DevServerWithWorker(TaskQueues.PGDR, worker -> {
    worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class);
    worker.registerActivitiesImplementations(new UiDecisionsFromTheCliTest.StandInCluster());
  });
  static WorkflowClient client;
  static ScheduleClient schedules;

  @BeforeAll
  static void aScheduleClient() {
    if (!server.started()) {
      return; // each test is skipped, or fails on CI
    }
    client = server.client();
    schedules = ScheduleClient.newInstance(client.getWorkflowServiceStubs(),
        ScheduleClientOptions.newBuilder().setNamespace(client.getOptions().getNamespace()).build());
  }

  /** On the first of each month at 03:00 UTC, as a monthly drill would run. */
  private static ScheduleSpec monthly() {
    return ScheduleSpec.newBuilder().setCalendars(List.of(ScheduleCalendarSpec.newBuilder()
        .setDayOfMonth(List.of(new ScheduleRange(1))).setHour(List.of(new ScheduleRange(3)))
        .setMinutes(List.of(new ScheduleRange(0))).setSeconds(List.of(new ScheduleRange(0)))
        .setComment("monthly").build())).build();
  }

  private static ScheduleHandle create(String id, ScheduleActionStartWorkflow action) {
    return schedules.createSchedule(id, Schedule.newBuilder().setAction(action).setSpec(monthly()).build(),
        ScheduleOptions.newBuilder().build());
  }

  /** The run the schedule's one trigger started, once the schedule records it. */
  private static ScheduleActionExecutionStartWorkflow triggeredOnce(ScheduleHandle schedule) throws InterruptedException {
    schedule.trigger();
    Instant deadline = Instant.now().plusSeconds(20);
    while (true) {
      List<ScheduleActionResult> recent = schedule.describe().getInfo().getRecentActions();
      if (!recent.isEmpty()) {
        assertEquals(1, recent.size(), recent.toString());
        return assertInstanceOf(ScheduleActionExecutionStartWorkflow.class, recent.get(0).getAction());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("the schedule never started its action: " + schedule.describe().getInfo());
      }
      Thread.sleep(100);
    }
  }

  /**
   * A schedule cannot start a recovery workflow itself: the ID it gives the run is the action's plus
   * the scheduled time, and a recovery runs only under its database's ID (the one-recovery-per-database
   * guard), so the run refuses before changing anything. The drill needs a workflow of its own.
   */
  @Test
  void aRecoveryStartedByAScheduleIsRefusedForItsTimestampedWorkflowId() throws Exception {
    DatabaseTarget target = ListCommandTest.target("scheduled", "fabrica-agentes");
    ScheduleHandle schedule = create("pgdr-test-recovery", ScheduleActionStartWorkflow.newBuilder()
        .setWorkflowType(ReplicaPromotionWorkflow.class)
        .setArguments(new ReplicaPromotionRequest(target, null, "schedule", null, true))
        // a schedule takes no ID policies: it starts each run under an ID of its own
        .setOptions(WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO))
            .setWorkflowIdReusePolicy(null).setWorkflowIdConflictPolicy(null).build())
        .build());
    try {
      ScheduleActionExecutionStartWorkflow started = triggeredOnce(schedule);

      assertTrue(started.getWorkflowId().startsWith(target.recoveryWorkflowId() + "-"), started.getWorkflowId());
      WorkflowFailedException failed = assertThrows(WorkflowFailedException.class,
          () -> client.newUntypedWorkflowStub(started.getWorkflowId()).getResult(20, TimeUnit.SECONDS, Object.class));
      String refusal = assertInstanceOf(ApplicationFailure.class, failed.getCause()).getOriginalMessage();
      assertTrue(refusal.contains("but a recovery of fabrica-agentes/scheduled runs as " + target.recoveryWorkflowId())
          && refusal.endsWith("Nothing was changed"), refusal);
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
          client.newUntypedWorkflowStub(started.getWorkflowId()).describe().getStatus());
    } finally {
      schedule.delete();
    }
  }

  /** The real server names its version, so the worker takes a run's tasks on its own sticky queue (StickyQueueTest: the test service does not). */
  @Test
  void theWorkerGoesStickyOnTheRealServerWhichReroutesALostWorkersTasks() {
    assertEquals(io.pgdr.worker.StickyQueue.TIMEOUT, io.pgdr.worker.StickyQueue.timeoutFor(client.getWorkflowServiceStubs()));
  }
}
