package io.pgdr.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.ReportActivities;
import io.pgdr.ports.RunActivities;
import io.pgdr.restore.DatabaseNames;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The restore rehearsal with the adapters mocked: what it restores where, how it judges, and that it always cleans up. */
@Execution(ExecutionMode.CONCURRENT)
class FailoverDrillWorkflowTest {

  static final String DRILL = "drill-fabrica-agentes.postgresql";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(FailoverDrillWorkflowImpl.class,
      RestoreFromBackupWorkflowImpl.class).build();

  private DrillMocks.Adapters adapters;
  private KubernetesActivities kubernetes;
  private PostgresActivities postgres;
  private BackupActivities backups;
  private RestoreActivities restore;
  private RunActivities runs;
  private ReportActivities reports;
  private WorkflowClient client;
  private Instant now;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    adapters = new DrillMocks.Adapters(now);
    kubernetes = adapters.kubernetes;
    postgres = adapters.postgres;
    backups = adapters.backups;
    restore = adapters.restore;
    runs = adapters.runs;
    reports = adapters.reports;
    adapters.start(env, worker);
  }

  private FailoverDrillWorkflow start(DatabaseTarget target, Instant incidentStart, String mode) {
    FailoverDrillWorkflow run = client.newWorkflowStub(FailoverDrillWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forDrill(target)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::drill, new FailoverDrillRequest(target, incidentStart, "sre@example", null, null, mode));
    return run;
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub(DRILL).getResult(RecoveryReport.class);
  }

  private RecoveryReport failedReport() {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals(FailureTypes.RECOVERY_FAILED, failure.getType());
    return failure.getDetails().get(RecoveryReport.class);
  }

  private static String scratchOf(RecoveryReport report) {
    return ((DrillOutcome) report.result()).scratchDatabase();
  }

  @Test
  void aRehearsalRestoresIntoAScratchDatabaseVerifiesItDropsItAndPassesWithinTheObjectives() {
    start(DrillMocks.target(), null, null);
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals(List.of(FailoverDrillWorkflowImpl.CHECK_NO_RECOVERY, FailoverDrillWorkflowImpl.READINESS, "diagnose", "choose-backup",
        "approval", "restore", "check-restore", "verify", "clean-up"), report.steps().stream().map(s -> s.name()).toList());
    assertEquals(List.of("restore", "check-restore", "verify", "clean-up"), report.plan().stream().map(PlannedStep::name).toList());
    assertTrue(report.approvals().isEmpty(), "nobody was asked");
    assertEquals("not needed: a drill leaves the application's data alone", report.steps().get(4).detail());
    assertEquals("1 passed, 1 warned, 0 failed; warn backups: older than the RPO", report.steps().get(1).detail(),
        "the readiness check ran first, its summary on the timeline");
    assertEquals(2, ((DrillOutcome) report.result()).readiness().items().size(), "and is kept in the drill's outcome");
    verify(reports).writeReport(eq(DrillMocks.LOCATION), eq("fabrica-agentes.postgresql"), anyString(),
        argThat(r -> r.outcome().equals(RecoveryReport.SUCCEEDED) && r.result() instanceof DrillOutcome));
    DrillOutcome drill = (DrillOutcome) report.result();
    String scratch = drill.scratchDatabase();
    assertTrue(DatabaseNames.isDrillScratch(scratch) && scratch.startsWith("fabrica_db_pgdr_drill_"), scratch);
    verify(restore).restoreBackup(argThat(s -> s.pod().equals("postgresql-0")), eq(DrillMocks.LOCATION),
        argThat(b -> b.key().equals(DrillMocks.NEWEST)), eq(scratch));
    verify(postgres).verifyPrimary(argThat(s -> s.database().equals(scratch)), eq(List.of("stories")), anyString());
    verify(restore).dropScratchDatabase(any(), eq(scratch));
    verify(restore, never()).swapDatabases(any(), anyString(), anyString(), anyString());
    verify(kubernetes, never()).stopWriters(any(), anyString());
    assertTrue(drill.passed() && drill.scratchDropped(), drill.toString());
    assertEquals(1260.0, drill.backupAgeSeconds(), 5.0, "the backup's data (its start) is 21 minutes old at the drill's start");
    assertEquals(drill.backupAgeSeconds(), report.rpo().lostSeconds());
    assertTrue(report.message().startsWith("drill passed: RTO: a verified copy after "), report.message());
    assertTrue(report.message().contains("RPO: the newest valid backup is 126"), report.message());
    assertEquals(List.of(ChangeRecord.HANDED_BACK, ChangeRecord.HANDED_BACK), report.changes().stream().map(ChangeRecord::state).toList(),
        "the scratch copy was made and dropped: nothing is left of it");
  }

  @Test
  void onAClusterTheRehearsalRestoresIntoAScratchStatefulSetOfItsOwnAndDeletesItWithItsClaim() {
    start(DrillMocks.clusterTarget(), null, null);
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals(List.of(FailoverDrillWorkflowImpl.CHECK_NO_RECOVERY, FailoverDrillWorkflowImpl.READINESS, "diagnose", "choose-backup",
        "approval", "scratch-instance", "restore", "check-restore", "verify", "clean-up"), report.steps().stream().map(s -> s.name()).toList());
    assertEquals(List.of("scratch-instance", "restore", "check-restore", "verify", "clean-up"),
        report.plan().stream().map(PlannedStep::name).toList(), "the plan is what ran");
    DrillOutcome drill = (DrillOutcome) report.result();
    String instance = drill.scratchStatefulSet();
    assertTrue(io.pgdr.ports.ScratchInstanceName.isScratch(instance) && instance.startsWith("pgdr-drill-postgresql-"), instance);
    assertEquals(instance + "-0", drill.pod(), "the copy lives in the scratch StatefulSet's pod");
    assertTrue(report.plan().get(0).change().contains("create StatefulSet " + instance), report.plan().get(0).change());
    verify(kubernetes).createScratchInstance(argThat(t -> t.statefulSet().equals("postgresql")), eq(instance), anyString());
    verify(postgres).copyRoleNames(argThat(s -> s.pod().equals("postgresql-0")), argThat(s -> s.pod().equals(instance + "-0")));
    assertTrue(report.steps().get(5).detail().contains("made roles fabrica_app (NOLOGIN, no password)"), report.steps().get(5).toString());
    // restored, checked and verified on the scratch server; the primary is never written to
    verify(restore).restoreBackup(argThat(s -> s.pod().equals(instance + "-0")), eq(DrillMocks.LOCATION),
        argThat(b -> b.key().equals(DrillMocks.NEWEST)), eq(drill.scratchDatabase()));
    verify(restore).checkRestore(argThat(s -> s.pod().equals(instance + "-0")), any(), any(), eq(drill.scratchDatabase()));
    verify(postgres).verifyPrimary(argThat(s -> s.pod().equals(instance + "-0") && s.database().equals(drill.scratchDatabase())),
        eq(List.of("stories")), anyString());
    verify(restore, never()).restoreBackup(argThat(s -> s.pod().equals("postgresql-0")), any(), any(), anyString());
    verify(kubernetes).deleteScratchInstance(any(), eq(instance), anyString());
    verify(restore, never()).dropScratchDatabase(any(), anyString());
    assertTrue(drill.passed() && drill.scratchDropped(), drill.toString());
    assertTrue(drill.facts().stream().anyMatch(f -> f.value().endsWith("in StatefulSet " + instance + " (pod " + instance
        + "-0), deleted with its claim")), drill.facts().toString());
    assertTrue(report.changes().stream().allMatch(c -> ChangeRecord.HANDED_BACK.equals(c.state())), report.changes().toString());
  }

  @Test
  void aScratchStatefulSetIsDeletedWhenTheRehearsalFailsOrIsCancelled() throws Exception {
    when(restore.checkRestore(any(), any(), any(), anyString())).thenAnswer(call ->
        new RestoreCheck(call.getArgument(3), Map.of("public.stories", 42L), Map.of("public.stories", 40L), List.of("public.stories: 40 rows")));
    start(DrillMocks.clusterTarget(), null, null);
    RecoveryReport failed = failedReport();
    String instance = ((DrillOutcome) failed.result()).scratchStatefulSet();
    verify(kubernetes).deleteScratchInstance(any(), eq(instance), anyString());
    assertEquals(ChangeRecord.COMPENSATED, failed.changes().get(0).state(), failed.changes().toString());
    assertEquals("scratch-instance", failed.changes().get(0).step());
    assertTrue(failed.changes().stream().noneMatch(ChangeRecord::standing), "nothing of the drill is left: " + failed.changes());
  }

  @Test
  void aCancelledRehearsalDeletesItsScratchStatefulSetOnceTheRestoreStopped() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    when(restore.restoreBackup(any(), any(), any(), anyString())).thenAnswer(call -> restoresUntilCancelled(restoring));
    start(DrillMocks.clusterTarget(), null, null);
    assertTrue(restoring.await(20, TimeUnit.SECONDS));
    client.newUntypedWorkflowStub(DRILL).cancel();

    verify(kubernetes, timeout(20_000)).deleteScratchInstance(any(), argThat(io.pgdr.ports.ScratchInstanceName::isScratch), anyString());
    WorkflowFailedException cancelled = assertThrows(WorkflowFailedException.class, this::result);
    assertInstanceOf(CanceledFailure.class, cancelled.getCause());
    RunStatus status = client.newWorkflowStub(FailoverDrillWorkflow.class, DRILL).status();
    assertEquals(RecoveryReport.CANCELLED, status.report().outcome());
    assertTrue(((DrillOutcome) status.report().result()).scratchDropped());
    assertTrue(status.report().changes().stream().noneMatch(ChangeRecord::standing), status.report().changes().toString());
  }

  @Test
  void aScratchStatefulSetNeedsTheTargetsCredentialsSecret() {
    DatabaseTarget t = DrillMocks.clusterTarget();
    DatabaseTarget fromEnvironment = new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(),
        t.configMap(), new io.pgdr.target.PostgresAccess("fabrica_db", 5432, io.pgdr.target.SecretRef.environment("postgres", "PG_PASSWORD"),
        null), t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(), t.patroni(), t.poolSize(), t.owner());
    start(fromEnvironment, null, null);
    RecoveryReport report = failedReport();

    assertEquals(Boolean.TRUE, report.badInput());
    assertTrue(report.message().contains("drill.scratch: a scratch StatefulSet takes its credentials from postgres.credentials.secret"),
        report.message());
    verify(kubernetes, never()).createScratchInstance(any(), anyString(), anyString());
  }

  @Test
  void aDrillSlowerThanTheRtoOrWithABackupOlderThanTheRpoFailsWithTheReasonOnTopAndStillCleansUp() {
    DatabaseTarget strict = DrillMocks.target(new Objectives(Duration.ofMinutes(30), Duration.ofMinutes(5)));
    when(backups.listBackups(any())).thenReturn(new BackupCatalog(DrillMocks.LOCATION.url(), List.of(
        DrillMocks.backup(DrillMocks.NEWEST, now.minus(Duration.ofMinutes(80))))));
    // the clock's zero an hour back: the verified copy comes 60 minutes after it, the backup 20 minutes before it
    start(strict, now.minus(Duration.ofHours(1)), null);
    RecoveryReport report = failedReport();

    assertTrue(report.message().startsWith("drill failed: RTO: a verified copy after 36"), report.message());
    assertTrue(report.message().contains("ABOVE the objective of PT30M"), report.message());
    assertTrue(report.message().contains("RPO: the newest valid backup is 1260 s old, ABOVE the objective of PT5M"), report.message());
    DrillOutcome drill = (DrillOutcome) report.result();
    assertFalse(drill.passed());
    assertTrue(drill.scratchDropped());
    verify(restore).dropScratchDatabase(any(), eq(drill.scratchDatabase()));
  }

  @Test
  void aCopyThatDoesNotMatchTheBackupFailsTheDrillAndIsDropped() {
    when(restore.checkRestore(any(), any(), any(), anyString())).thenAnswer(call ->
        new RestoreCheck(call.getArgument(3), Map.of("public.stories", 42L), Map.of("public.stories", 40L), List.of("public.stories: 40 rows, the backup has 42")));
    start(DrillMocks.target(), null, null);
    RecoveryReport report = failedReport();

    assertTrue(report.message().startsWith("drill failed: the restored copy does not match the backup " + DrillMocks.NEWEST
        + ": public.stories: 40 rows, the backup has 42"), report.message());
    verify(restore).dropScratchDatabase(any(), eq(scratchOf(report)));
    assertEquals(ChangeRecord.COMPENSATED, report.changes().get(0).state(), report.changes().toString());
    verify(postgres, never()).verifyPrimary(any(), any(), anyString());
  }

  @Test
  void aCancelledDrillDropsItsPartialCopyInADetachedScope() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    when(restore.restoreBackup(any(), any(), any(), anyString())).thenAnswer(call -> restoresUntilCancelled(restoring));
    start(DrillMocks.target(), null, null);
    assertTrue(restoring.await(20, TimeUnit.SECONDS));
    client.newUntypedWorkflowStub(DRILL).cancel();

    verify(restore, timeout(20_000)).dropScratchDatabase(any(), argThat(DatabaseNames::isDrillScratch));
    WorkflowFailedException cancelled = assertThrows(WorkflowFailedException.class, this::result);
    assertInstanceOf(CanceledFailure.class, cancelled.getCause());
    RunStatus status = client.newWorkflowStub(FailoverDrillWorkflow.class, DRILL).status();
    assertEquals(RecoveryReport.CANCELLED, status.report().outcome());
    assertTrue(status.report().message().startsWith("the run was cancelled at step restore."), status.report().message());
    assertTrue(((DrillOutcome) status.report().result()).scratchDropped());
    assertEquals(ChangeRecord.COMPENSATED, status.report().changes().get(0).state());
  }

  @Test
  void aDrillStartedWhileARecoveryRunsChangesNothing() {
    when(runs.openRun("recovery-fabrica-agentes.postgresql")).thenReturn("run-1");
    start(DrillMocks.target(), null, null);
    RecoveryReport report = failedReport();

    assertTrue(report.message().startsWith("a recovery of fabrica-agentes/postgresql is running (recovery-fabrica-agentes.postgresql):"
        + " a drill never competes with a recovery"), report.message());
    verify(restore, never()).restoreBackup(any(), any(), any(), anyString());
    verify(kubernetes, never()).describeCluster(any());
    assertTrue(report.changes().isEmpty());
  }

  @Test
  void aRecoveryStartedDuringADrillCancelsItAndTheDrillCleansUp() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    when(restore.restoreBackup(any(), any(), any(), argThat(DatabaseNames::isDrillScratch))).thenAnswer(call -> restoresUntilCancelled(restoring));
    DatabaseTarget target = DrillMocks.target();
    start(target, null, null);
    assertTrue(restoring.await(20, TimeUnit.SECONDS));

    RestoreFromBackupWorkflow recovery = client.newWorkflowStub(RestoreFromBackupWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, RestoreFromBackupWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(recovery::restore, new RestoreRequest(target, now, "sre@example", null, null));

    verify(restore, timeout(20_000)).dropScratchDatabase(any(), argThat(DatabaseNames::isDrillScratch));
    // before waiting on the drill's result, which lets the test service skip time: the recovery's
    // approval would time out the moment every run waits on a timer
    RunStatus recovering = awaitApproval(recovery);
    assertNotEquals(null, recovering.pendingApproval(), "the recovery went on to its approval");
    WorkflowFailedException cancelled = assertThrows(WorkflowFailedException.class, this::result);
    assertInstanceOf(CanceledFailure.class, cancelled.getCause());
    WorkflowStub.fromTyped(recovery).terminate("test over");
  }

  @Test
  void aModeThatIsNotADrillIsBadInput() {
    start(DrillMocks.target(), null, "chaos-monkey");
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("mode: 'chaos-monkey' is not a drill; the drills are restore-rehearsal"), report.message());
    assertEquals(Boolean.TRUE, report.badInput());
    verify(runs, never()).openRun(anyString());
  }

  /** A restore as the real one behaves: heartbeating its progress, and stopping when its heartbeat says the run was cancelled. */
  private static RestoreResult restoresUntilCancelled(CountDownLatch restoring) throws InterruptedException {
    restoring.countDown();
    while (true) {
      Activity.getExecutionContext().heartbeat("restoring");
      Thread.sleep(100);
    }
  }

  private static RunStatus awaitApproval(RestoreFromBackupWorkflow run) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      RunStatus status = run.status();
      if (status.pendingApproval() != null) {
        return status;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no approval asked: " + run.status());
  }
}
