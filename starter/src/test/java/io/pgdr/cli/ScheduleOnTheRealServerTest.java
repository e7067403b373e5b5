package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Temporal Schedule through the Java SDK's ScheduleClient on the real server (the embedded test
 * service has no Schedules): created with a monthly calendar, as the drill's will be, described,
 * triggered once, the run it started observed, deleted. And what a schedule does to a workflow ID,
 * which the drill has to reckon with: a recovery started by a schedule directly is refused.
 */
@org.junit.jupiter.api.Tag("real-servers")
class ScheduleOnTheRealServerTest {

  @RegisterExtension
  static final DevServerWithWorker server = new DevServerWithWorker(TaskQueues.PGDR, worker -> {
    worker.registerWorkflowImplementationTypes(PingImpl.class, ReplicaPromotionWorkflowImpl.class);
    worker.registerActivitiesImplementations(new UiDecisionsFromTheCliTest.StandInCluster());
  });
  static WorkflowClient client;
  static ScheduleClient schedules;

  /** A small workflow for a schedule to start: it answers who started it. */
  @WorkflowInterface
  public interface Ping {
    @WorkflowMethod
    String ping(String from);
  }

  public static final class PingImpl implements Ping {
    @Override
    public String ping(String from) {
      return "pong to " + from + " from " + Workflow.getInfo().getWorkflowId();
    }
  }

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

  @Test
  void aScheduleIsCreatedDescribedTriggeredAndDeleted() throws Exception {
    ScheduleHandle schedule = create("pgdr-test-ping", ScheduleActionStartWorkflow.newBuilder()
        .setWorkflowType(Ping.class).setArguments("the schedule")
        .setOptions(WorkflowOptions.newBuilder().setWorkflowId("ping").setTaskQueue(TaskQueues.PGDR)
            .setTypedSearchAttributes(RunSearchAttributes.atStart("fabrica-db", "Ping")).build())
        .build());

    ScheduleDescription described = schedule.describe();
    assertEquals("pgdr-test-ping", described.getId());
    ScheduleActionStartWorkflow action = assertInstanceOf(ScheduleActionStartWorkflow.class, described.getSchedule().getAction());
    assertEquals("Ping", action.getWorkflowType());
    assertEquals(0, described.getInfo().getNumActions());
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    ZonedDateTime thisMonths = now.withDayOfMonth(1).toLocalDate().atTime(3, 0).atZone(ZoneOffset.UTC);
    assertEquals(thisMonths.isAfter(now) ? thisMonths : thisMonths.plusMonths(1),
        described.getInfo().getNextActionTimes().get(0).atZone(ZoneOffset.UTC), "the next first of a month at 03:00 UTC");

    ScheduleActionExecutionStartWorkflow started = triggeredOnce(schedule);

    // the schedule appends the scheduled time to the action's workflow ID
    assertTrue(started.getWorkflowId().startsWith("ping-"), started.getWorkflowId());
    String result = client.newUntypedWorkflowStub(started.getWorkflowId()).getResult(20, TimeUnit.SECONDS, String.class);
    assertEquals("pong to the schedule from " + started.getWorkflowId(), result);
    WorkflowExecutionMetadata run = client.newUntypedWorkflowStub(started.getWorkflowId()).describe();
    assertEquals(started.getFirstExecutionRunId(), run.getExecution().getRunId());
    assertEquals("fabrica-db", run.getTypedSearchAttributes().get(RunSearchAttributes.DATABASE), "the action's search attributes");
    assertEquals("pgdr-test-ping", run.getTypedSearchAttributes().get(SearchAttributeKey.forKeyword("TemporalScheduledById")));
    assertEquals(1, schedule.describe().getInfo().getNumActions());

    schedule.delete();

    assertThrows(Exception.class, schedule::describe, "a deleted schedule is gone");
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
        client.newUntypedWorkflowStub(started.getWorkflowId()).describe().getStatus(), "the run it started stays");
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
}
