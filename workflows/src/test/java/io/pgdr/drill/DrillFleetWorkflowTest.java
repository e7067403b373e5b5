package io.pgdr.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.drill.DrillFleetSummary.DrillResult;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** A fleet of drills: every database drilled once, never more at a time than asked, one summary. */
@Execution(ExecutionMode.CONCURRENT)
class DrillFleetWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(FailoverDrillWorkflowImpl.class,
      DrillFleetWorkflowImpl.class).build();

  private RestoreActivities restore;
  private final AtomicInteger restoring = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    DrillMocks.Adapters adapters = new DrillMocks.Adapters(Instant.ofEpochMilli(env.currentTimeMillis()));
    restore = adapters.restore;
    when(restore.restoreBackup(any(), any(), any(), anyString())).thenAnswer(call -> {
      mostAtOnce.accumulateAndGet(restoring.incrementAndGet(), Math::max);
      Thread.sleep(300); // long enough for the fleet to start every drill it is allowed to
      restoring.decrementAndGet();
      return new RestoreResult(call.getArgument(3), 1, 1, 0, 1, Map.of());
    });
    adapters.start(env, worker);
  }

  private static DatabaseTarget database(String statefulSet) {
    DatabaseTarget t = DrillMocks.target();
    return new DatabaseTarget(statefulSet + "-db", t.namespace(), statefulSet, t.service(), t.deployments(), t.configMap(), t.postgres(),
        t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(), t.patroni(), t.poolSize(), t.owner(), t.drill());
  }

  private DrillFleetSummary run(List<DatabaseTarget> targets, int maxConcurrent) {
    DrillFleetWorkflow fleet = client.newWorkflowStub(DrillFleetWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(DrillFleetWorkflow.ID_PREFIX + "test").setTaskQueue(taskQueue).build());
    return fleet.drillAll(new DrillFleetRequest(targets, null, maxConcurrent, "schedule"));
  }

  @Test
  void everyDatabaseIsDrilledAtMostNAtATimeWithOneSummary() {
    List<DatabaseTarget> targets = List.of(database("pg-a"), database("pg-b"), database("pg-c"), database("pg-d"), database("pg-e"));
    DrillFleetSummary summary = run(targets, 2);

    assertEquals(List.of("pg-a-db", "pg-b-db", "pg-c-db", "pg-d-db", "pg-e-db"), summary.drills().stream().map(DrillResult::database).toList());
    assertTrue(summary.allPassed(), summary.toString());
    assertEquals(2, mostAtOnce.get(), "two drills at once, as asked, and never more");
    verify(restore, times(5)).dropScratchDatabase(any(), anyString());
    DrillResult first = summary.drills().get(0);
    assertEquals("drill-fabrica-agentes.pg-a", first.workflowId());
    assertEquals(1260.0, first.rpoSeconds(), 10.0, "the backup's age when the drill started");
    assertTrue(first.rtoSeconds() != null && first.message().startsWith("drill passed"), first.toString());
  }

  @Test
  void aFailedDrillIsInTheSummaryWithItsReasonAndTheOthersStillRun() {
    when(restore.checkRestore(any(), any(), any(), argThat(name -> name.startsWith("fabrica_db_pgdr_drill_")))).thenAnswer(call ->
        new RestoreCheck(call.getArgument(3), Map.of("public.stories", 42L), Map.of(), List.of("public.stories: missing")));
    DrillFleetSummary summary = run(List.of(database("pg-a"), database("pg-b")), 1);

    assertFalse(summary.allPassed());
    assertEquals(2, summary.count(DrillResult.FAILED), summary.toString());
    assertEquals(1, mostAtOnce.get());
    DrillResult failed = summary.drills().get(1);
    assertTrue(failed.message().startsWith("drill failed: the restored copy does not match the backup"), failed.message());
    assertNull(failed.rtoSeconds(), "no verified copy: no RTO");
    // 21 minutes, plus however long the first drill took on a loaded machine
    assertTrue(failed.rpoSeconds() >= summary.drills().get(0).rpoSeconds() && failed.rpoSeconds() < 1260.0 + 120,
        "the second drill starts after the first: " + summary);
  }
}
