package io.pgdr.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.SwapResult;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.target.DatabaseTarget;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each long step of a restore (also verify, which the failover shares) whose worker dies mid-call
 * is taken over by another attempt once its heartbeat timeout passes, not its start-to-close
 * timeout (up to 30 min for check-restore before). A dead worker is played by an attempt that
 * blocks without heartbeating: the next attempt starts while it is still blocked, which only the
 * heartbeat timeout can cause (every start-to-close timeout of these steps is 15 min or more).
 * The cases run side by side, each with its own test service: each waits out a real heartbeat timeout.
 */
@Execution(ExecutionMode.CONCURRENT)
class ALostWorkerIsNoticedByTheHeartbeatTimeoutTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(RestoreFromBackupWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"RestoreBackup", "CheckRestore", "SwapDatabases", "VerifyPrimary", "AwaitWritersReady", "ListBackups"})
  void theFirstAttemptsLostWorkerIsNoticedByItsHeartbeatTimeout(String activityType, TestWorkflowEnvironment env, Worker worker,
      WorkflowClient client) {
    Instant now = Instant.ofEpochMilli(env.currentTimeMillis());
    RestoreFromBackupWorkflowTest.stubHealthyCluster(kubernetes, postgres, now);
    when(backups.listBackups(any())).thenAnswer(call -> lostOnFirstAttempt("ListBackups", activityType, () -> new BackupCatalog(
        RestoreFromBackupWorkflowTest.LOCATION.url(), List.of(RestoreFromBackupWorkflowTest.backup(RestoreFromBackupWorkflowTest.NEWEST,
            now.minus(Duration.ofMinutes(30)), true, "manifest and every object present")))));
    when(kubernetes.stopWriters(any(), anyString())).thenReturn(new TreeMap<>(Map.of("fabrica-api", 3)));
    when(restore.restoreBackup(any(), any(), any(), anyString())).thenAnswer(call -> lostOnFirstAttempt("RestoreBackup", activityType,
        () -> new RestoreResult(call.getArgument(3), 7, 7, 0, 123_456, Map.of("public.stories", 42L))));
    when(restore.checkRestore(any(), any(), any(), anyString())).thenAnswer(call -> lostOnFirstAttempt("CheckRestore", activityType,
        () -> new RestoreCheck(call.getArgument(3), Map.of("public.stories", 42L), Map.of("public.stories", 42L), List.of())));
    when(restore.swapDatabases(any(), anyString(), anyString(), anyString())).thenAnswer(call -> lostOnFirstAttempt("SwapDatabases", activityType,
        () -> new SwapResult(call.getArgument(1), call.getArgument(3), false, 0)));
    when(postgres.verifyPrimary(any(), any(), anyString())).thenAnswer(call -> lostOnFirstAttempt("VerifyPrimary", activityType,
        () -> new VerificationResult("postgresql-0", true, true, Map.of("stories", 42L), List.of(), List.of())));
    when(kubernetes.awaitWritersReady(any(), any())).thenAnswer(call -> lostOnFirstAttempt("AwaitWritersReady", activityType,
        () -> call.getArgument(1)));
    worker.registerActivitiesImplementations(kubernetes, postgres, backups, restore, notifications);
    env.start();

    DatabaseTarget target = RestoreFromBackupWorkflowTest.target();
    RestoreFromBackupWorkflow run = client.newWorkflowStub(RestoreFromBackupWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, RestoreFromBackupWorkflow.SCENARIO)).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(run::restore, new RestoreRequest(target, now, "sre", null, new ApprovalDecision("sre", "--yes", false)));
    RecoveryReport report = client.newUntypedWorkflowStub(target.recoveryWorkflowId()).getResult(RecoveryReport.class);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    HistoryEvent started = lastStart(client.fetchHistory(target.recoveryWorkflowId()).getEvents(), activityType);
    assertEquals(2, started.getActivityTaskStartedEventAttributes().getAttempt(), "a second attempt took over");
    assertTrue(takenOverWhileBlocked, "the second attempt started while the first was still blocked, silent");
  }

  private final CountDownLatch takenOver = new CountDownLatch(1);
  private volatile boolean takenOverWhileBlocked;

  /** The attempt a dead worker had: it neither answers nor heartbeats until another attempt has started. */
  private <T> T lostOnFirstAttempt(String type, String lostType, Supplier<T> answer) throws InterruptedException {
    if (type.equals(lostType)) {
      if (Activity.getExecutionContext().getInfo().getAttempt() == 1) {
        takenOverWhileBlocked = takenOver.await(60, TimeUnit.SECONDS);
      } else {
        takenOver.countDown();
      }
    }
    return answer.get();
  }

  private static HistoryEvent lastStart(List<HistoryEvent> history, String activityType) {
    Map<Long, String> scheduled = new HashMap<>();
    HistoryEvent last = null;
    for (HistoryEvent e : history) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
          && activityType.equals(scheduled.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId()))) {
        last = e;
      }
    }
    assertTrue(last != null, activityType + " never started");
    return last;
  }
}
