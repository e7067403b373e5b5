package io.pgdr.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.SwapResult;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.AbortRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.run.RunStatus;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/** Every branch of the restore workflow, with the adapters mocked and time skipped. */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
public class RestoreFromBackupWorkflowTest {

  public static final BackupLocation LOCATION = new BackupLocation("fabrica-agentes-backups", "db/", null, null, null, null, null);
  static final String NEWEST = "db/pgdr/20250110T020000Z/manifest.json";
  static final String OLDER = "db/pgdr/20250109T020000Z/manifest.json";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(RestoreFromBackupWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private Instant now;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    stubHealthyCluster(kubernetes, postgres, now);
    when(backups.listBackups(any())).thenReturn(new BackupCatalog(LOCATION.url(), List.of(
        backup(NEWEST, now.minus(Duration.ofMinutes(30)), false, "object data/public.stories.0.copy.gz is 10 bytes, the manifest says 2048"),
        backup(OLDER, now.minus(Duration.ofMinutes(40)), true, "manifest and every object present"))));
    // ordered, so messages listing the writers read the same on every run
    when(kubernetes.stopWriters(any(), anyString())).thenReturn(new TreeMap<>(Map.of("fabrica-api", 3, "fabrica-workers", 2)));
    when(restore.restoreBackup(any(), any(), any(), anyString())).thenAnswer(call ->
        new RestoreResult(call.getArgument(3), 7, 7, 0, 123_456, Map.of("public.stories", 42L)));
    when(restore.checkRestore(any(), any(), any(), anyString())).thenAnswer(call ->
        new RestoreCheck(call.getArgument(3), Map.of("public.stories", 42L), Map.of("public.stories", 42L), List.of()));
    when(restore.swapDatabases(any(), anyString(), anyString(), anyString())).thenAnswer(call ->
        new SwapResult(call.getArgument(1), call.getArgument(3), false, 0));
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
        new VerificationResult("postgresql-0", true, true, Map.of("stories", 42L), List.of(), List.of()));
    when(kubernetes.awaitWritersReady(any(), any())).thenAnswer(call -> call.getArgument(1));
    worker.registerActivitiesImplementations(kubernetes, postgres, backups, restore, notifications);
    env.start();
  }

  /** The cluster a restore of corrupted data finds: postgresql-0 the primary the Service selects, postgresql-1 its standby. */
  public static void stubHealthyCluster(KubernetesActivities kubernetes, PostgresActivities postgres, Instant now) {
    when(kubernetes.describeCluster(any())).thenReturn(new ClusterState(2, 2, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of("data-postgresql-0", "data-postgresql-1"),
        Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of()));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, false, "0/5000000", null, null, null, false, "15.8", List.of(), false));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-1")))).thenReturn(
        new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/5000000", "0/5000000", now, false, "15.8", List.of(), false));
  }

  public static DatabaseTarget target(Duration rpo, BackupLocation backups) {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql",
        List.of("fabrica-api", "fabrica-workers"), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), rpo), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of("stories")), null, backups, null, null, null);
  }

  static DatabaseTarget target() {
    return target(Duration.ofHours(1), LOCATION);
  }

  public static BackupEntry backup(String key, Instant end, boolean valid, String reason) {
    return new BackupEntry(key, BackupEntry.PGDR, end.minusSeconds(60), end, 4096, "15.8", valid, reason);
  }

  private RestoreFromBackupWorkflow start(DatabaseTarget target, String backupKey, ApprovalDecision preApproval) {
    return start(new RestoreRequest(target, now, "sre@example", backupKey, preApproval));
  }

  private RestoreFromBackupWorkflow start(RestoreRequest request) {
    RestoreFromBackupWorkflow run = client.newWorkflowStub(RestoreFromBackupWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(request.target(), RestoreFromBackupWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::restore, request);
    return run;
  }

  /** The step names an approval's plan shows, one per line ("name [system, changes]: what"), notes left out. */
  static List<String> stepsShown(RunStatus waiting) {
    return waiting.pendingApproval().plan().stream().filter(line -> !line.startsWith("note: "))
        .map(line -> line.substring(0, line.indexOf(" ["))).toList();
  }

  /** The steps a run took after its approval. */
  static List<String> stepsAfterApproval(RecoveryReport report) {
    List<String> names = report.steps().stream().map(s -> s.name()).toList();
    return names.subList(names.indexOf("approval") + 1, names.size());
  }

  @Test
  void thePlanTheApproverSawIsTheStepsThatRan() throws Exception {
    RestoreFromBackupWorkflow run = start(target(), null, null);
    List<String> shown = stepsShown(awaitStatus(run, s -> s.pendingApproval() != null));
    run.approve(new ApprovalDecision("alice", "stories table corrupted", false));
    RecoveryReport report = result();

    assertEquals(List.of("stop-writers", "restore", "check-restore", "swap", "verify", "restart-writers", "check-writers"), shown);
    assertEquals(shown, stepsAfterApproval(report));
    assertEquals(shown, report.plan().stream().map(PlannedStep::name).toList());
    assertEquals(List.of("stop-writers", "restore", "swap", "restart-writers"), report.changes().stream().map(ChangeRecord::step).toList(),
        "the ledger holds the change steps, in order");
    assertEquals(ChangeRecord.HANDED_BACK, report.changes().get(0).state(), "the writers came back: nothing is left of stopping them");
    assertTrue(report.message().contains("The replaced database is kept as fabrica_db_before_"), report.message());
  }

  @Test
  void thePlanOfARebuildIsTheStepsThatRan() throws Exception {
    primaryBroken();
    RestoreFromBackupWorkflow run = start(target(), null, null);
    List<String> shown = stepsShown(awaitStatus(run, s -> s.pendingApproval() != null));
    run.approve(new ApprovalDecision("alice", "primary volume lost", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals(List.of("keep-volume", "stop-writers", "recreate-pod", "await-pod", "restore", "check-restore", "swap", "verify",
        "restart-writers", "check-writers"), shown);
    assertEquals(shown, stepsAfterApproval(report));
  }

  @Test
  void aPlanOnlyRunDiagnosesShowsThePlanAndChangesNothing() {
    start(new RestoreRequest(target(), now, "sre@example", null, null, true));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.PLANNED, report.outcome(), report.message());
    assertTrue(report.message().contains("nothing was changed"), report.message());
    assertEquals(List.of("diagnose", "choose-backup"), report.steps().stream().map(s -> s.name()).toList(), "no approval was asked");
    assertEquals(List.of("stop-writers", "restore", "check-restore", "swap", "verify", "restart-writers", "check-writers"),
        report.plan().stream().map(PlannedStep::name).toList());
    assertTrue(report.plan().stream().anyMatch(s -> s.destructive() && s.change().contains("restore " + OLDER + " into a new database")),
        "the plan names what the diagnosis found");
    assertEquals(OLDER, ((RestoreOutcome) report.result()).backupKey());
    assertTrue(report.changes().isEmpty());
    assertTrue(report.approvals().isEmpty());
    verifyNothingChanged();
  }

  private RunStatus awaitStatus(RestoreFromBackupWorkflow run, Predicate<RunStatus> condition) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      RunStatus status = run.status();
      if (condition.test(status)) {
        return status;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("run never reached the expected state; last: " + run.status());
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }

  private RecoveryReport failedReport() {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals(FailureTypes.RECOVERY_FAILED, failure.getType());
    return failure.getDetails().get(RecoveryReport.class);
  }

  @Test
  void approvedRestoreStopsWritersRestoresBesideSwapsVerifiesAndBringsWritersBack() throws Exception {
    RestoreFromBackupWorkflow run = start(target(), null, null);
    RunStatus waiting = awaitStatus(run, s -> s.pendingApproval() != null);
    assertEquals(OLDER, waiting.pendingApproval().subject(), "the newest backup is invalid: the one before is used");
    assertTrue(waiting.pendingApproval().summary().contains(OLDER));
    assertEquals(2460.0, waiting.pendingApproval().estimatedLossSeconds(), "41 minutes of writes since the backup's snapshot (its start)");
    assertFalse(waiting.pendingApproval().rpoExceeded());
    assertTrue(waiting.steps().stream().anyMatch(s -> s.detail() != null && s.detail().contains("skipped " + NEWEST)),
        "the invalid backup is named with its reason");
    verify(kubernetes, never()).stopWriters(any(), anyString());

    run.approve(new ApprovalDecision("alice", "stories table corrupted", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals(List.of("diagnose", "choose-backup", "approval", "stop-writers", "restore", "check-restore", "swap", "verify", "restart-writers", "check-writers"),
        report.steps().stream().map(s -> s.name()).toList());
    String restored = ((RestoreOutcome) report.result()).restoredInto();
    assertTrue(restored.startsWith("fabrica_db_restore_"), restored);
    assertTrue(((RestoreOutcome) report.result()).previousKeptAs().startsWith("fabrica_db_before_"), ((RestoreOutcome) report.result()).previousKeptAs());
    assertEquals(OLDER, ((RestoreOutcome) report.result()).backupKey());
    assertEquals(Map.of("fabrica-api", 3, "fabrica-workers", 2), ((RestoreOutcome) report.result()).writersStopped());
    assertTrue(((RestoreOutcome) report.result()).writersRestarted());
    assertEquals(2460.0, report.rpo().lostSeconds());
    assertNotNull(report.rto().measuredSeconds());
    verify(restore).restoreBackup(argThat(s -> s.pod().equals("postgresql-0")), eq(LOCATION), argThat(b -> b.key().equals(OLDER)), eq(restored));
    verify(restore).swapDatabases(any(), eq("fabrica_db"), eq(restored), eq(((RestoreOutcome) report.result()).previousKeptAs()));
    verify(kubernetes).restartWriters(any(), eq(Map.of("fabrica-api", 3, "fabrica-workers", 2)));
  }

  @Test
  void writersThatDoNotComeBackReadyFailTheRunAfterTheRestore() {
    when(kubernetes.awaitWritersReady(any(), any())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "after 5 min: fabrica-api 1/3 ready; look at their pods' events and logs (kubectl describe / logs)", "WritersNotReady"));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("restored and verified and the writers were scaled back, but they are not all ready:"
        + " after 5 min: fabrica-api 1/3 ready"), report.message());
    assertTrue(((RestoreOutcome) report.result()).writersRestarted());
    verify(kubernetes).restartWriters(any(), eq(Map.of("fabrica-api", 3, "fabrica-workers", 2)));
  }

  @Test
  void rejectionChangesNothing() throws Exception {
    RestoreFromBackupWorkflow run = start(target(), null, null);
    awaitStatus(run, s -> s.pendingApproval() != null);
    run.reject(new ApprovalDecision("bob", "the data is fine", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertEquals(ApprovalRecord.REJECTED, report.approvals().get(0).decision());
    verifyNothingChanged();
  }

  @Test
  void unansweredApprovalEscalatesAndAborts() {
    start(target(), null, null);
    RecoveryReport report = result();

    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertEquals(ApprovalRecord.TIMED_OUT, report.approvals().get(0).decision());
    verify(notifications).escalate(any(), argThat(e -> e.reason().contains("not answered") && e.scenario().equals("RestoreFromBackup")));
    verifyNothingChanged();
  }

  @Test
  void aBackupOlderThanTheRpoNeedsAnOverride() throws Exception {
    RestoreFromBackupWorkflow run = start(target(Duration.ofMinutes(15), LOCATION), null, null);
    RunStatus waiting = awaitStatus(run, s -> s.pendingApproval() != null);
    assertTrue(waiting.pendingApproval().rpoExceeded());
    assertTrue(waiting.pendingApproval().summary().contains("ABOVE the RPO"));

    run.approve(new ApprovalDecision("alice", "go", false));
    awaitStatus(run, s -> s.warnings().stream().anyMatch(w -> w.contains("RPO override")));
    verify(kubernetes, never()).stopWriters(any(), anyString());
    run.approve(new ApprovalDecision("alice", "older data beats no data", true));

    assertEquals(RecoveryReport.SUCCEEDED, result().outcome());
  }

  @Test
  void aFailedRestoreLeavesWritersStoppedAndTheLiveDatabaseUntouched() {
    when(restore.restoreBackup(any(), any(), any(), anyString())).thenThrow(
        ApplicationFailure.newNonRetryableFailure("object data/public.stories.0.copy.gz: SHA-256 differs from the manifest", FailureTypes.BACKUP_CORRUPT));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("SHA-256 differs"), report.message());
    assertTrue(report.message().contains("Not done: swap, restart-writers."), report.message());
    assertEquals(List.of(ChangeRecord.MADE, ChangeRecord.UNDER_WAY), report.changes().stream().map(ChangeRecord::state).toList(),
        "writers stopped; the restore under way when it failed");
    assertTrue(report.message().contains("Writers stay stopped (fabrica-api=3, fabrica-workers=2"), report.message());
    assertFalse(report.failedOnInput(), "a restore that failed midway is a failed recovery, not bad input");
    assertFalse(((RestoreOutcome) report.result()).writersRestarted());
    assertEquals("failed", report.steps().get(report.steps().size() - 1).outcome());
    verify(restore, never()).swapDatabases(any(), anyString(), anyString(), anyString());
    verify(kubernetes, never()).restartWriters(any(), any());
  }

  @Test
  void aRestoreThatDoesNotMatchTheBackupIsNotSwappedIn() {
    when(restore.checkRestore(any(), any(), any(), anyString())).thenAnswer(call -> new RestoreCheck(call.getArgument(3),
        Map.of("public.stories", 42L), Map.of("public.stories", 41L), List.of("public.stories: 41 rows, the backup has 42")));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("41 rows, the backup has 42"), report.message());
    verify(restore, never()).swapDatabases(any(), anyString(), anyString(), anyString());
    verify(kubernetes, never()).restartWriters(any(), any());
  }

  @Test
  void aSwappedDatabaseThatFailsVerificationKeepsWritersStopped() {
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
        new VerificationResult("postgresql-0", true, true, Map.of(), List.of(), List.of("table stories does not exist")));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("did not pass verification"), report.message());
    assertTrue(report.message().contains("kept as fabrica_db_before_"), report.message());
    verify(kubernetes, never()).restartWriters(any(), any());
  }

  @Test
  void noValidBackupFailsBeforeAnythingChanges() {
    when(backups.listBackups(any())).thenReturn(new BackupCatalog(LOCATION.url(), List.of(
        backup(NEWEST, now, false, "incomplete: no manifest"))));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("no valid backup under s3://fabrica-agentes-backups/db/"), report.message());
    assertTrue(report.message().contains("incomplete: no manifest"), report.message());
    assertFalse(report.failedOnInput(), "backups that are all damaged are a failed recovery, not bad input");
    verifyNothingChanged();
  }

  @Test
  void aNamedBackupThatDoesNotExistFailsBeforeAnythingChanges() {
    when(backups.checkBackup(any(), eq("db/nope.dump"))).thenThrow(
        ApplicationFailure.newNonRetryableFailure("no object db/nope.dump in bucket fabrica-agentes-backups", FailureTypes.BACKUP_NOT_FOUND));
    start(target(), "db/nope.dump", new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("no object db/nope.dump"), report.message());
    assertTrue(report.failedOnInput(), "--backup named nothing: bad input");
    verifyNothingChanged();
  }

  @Test
  void aBucketOrPrefixThatDoesNotExistIsBadInputAndChangesNothing() {
    when(backups.listBackups(any())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "bucket fabrica-agentes-backups does not exist at http://127.0.0.1:9000: check backups.bucket", FailureTypes.LOCATION_MISSING));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("check backups.bucket"), report.message());
    assertTrue(report.failedOnInput(), "a bucket that does not exist: bad input");
    verifyNothingChanged();
  }

  @Test
  void aNamedBackupThatIsDamagedIsBadInput() {
    when(backups.checkBackup(any(), eq("db/old.dump"))).thenReturn(
        new BackupEntry("db/old.dump", BackupEntry.CUSTOM, null, now.minusSeconds(10), 999, null, false, "pg_restore: truncated"));
    start(target(), "db/old.dump", new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("backup db/old.dump is not usable"), report.message());
    assertTrue(report.failedOnInput(), "--backup named an unusable backup: bad input");
    verifyNothingChanged();
  }

  @Test
  void aNamedValidBackupIsUsedInsteadOfTheLatest() {
    when(backups.checkBackup(any(), eq("db/latest.dump"))).thenReturn(
        new BackupEntry("db/latest.dump", BackupEntry.CUSTOM, null, now.minusSeconds(10), 999, null, true, "pg_restore read it through"));
    start(target(), "db/latest.dump", new ApprovalDecision("alice", "--yes", false));

    RecoveryReport report = result();
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertEquals("db/latest.dump", ((RestoreOutcome) report.result()).backupKey());
    verify(backups, never()).listBackups(any());
  }

  @Test
  void aTargetWithoutBackupsIsRefusedBeforeAnythingChanges() {
    start(target(Duration.ofHours(1), null), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("backups: missing"), report.message());
    assertTrue(report.failedOnInput(), "the target lacks backups: bad input");
    verify(backups, never()).listBackups(any());
    verifyNothingChanged();
  }

  /** postgresql-0's server is gone; once recreated on a new volume, a fresh primary answers at 10.0.0.20. */
  private void primaryBroken() {
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-0") && s.host().equals("10.0.0.10")))).thenReturn(
        ServerState.unreachable("postgresql-0", "10.0.0.10:5432", "Connection refused"));
    when(postgres.inspectServer(argThat(s -> s != null && s.host().equals("10.0.0.20")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.20:5432", true, null, false, "0/1000000", null, null, null, false, "15.8", List.of(), false));
    when(kubernetes.keepVolumes(any(), eq("postgresql-0"), anyString())).thenReturn(List.of(KEPT));
    when(kubernetes.awaitPodReady(any(), eq("postgresql-0"), eq(List.of(KEPT)))).thenReturn(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.20", 5432, false));
  }

  static final KeptVolume KEPT = new KeptVolume("data-postgresql-0", "pvc-0a1b", "Delete");

  @Test
  void noReachablePrimaryRecreatesItsPodOnANewVolumeAfterKeepingTheOldOne() throws Exception {
    primaryBroken();
    RestoreFromBackupWorkflow run = start(target(), null, null);
    RunStatus waiting = awaitStatus(run, s -> s.pendingApproval() != null);
    String plan = String.join("\n", waiting.pendingApproval().plan());
    assertTrue(waiting.pendingApproval().summary().startsWith("recreate postgresql-0 on a new volume and restore"), waiting.pendingApproval().summary());
    assertTrue(plan.contains("keep the volume of postgresql-0: its PersistentVolume gets reclaim policy Retain"), plan);
    assertTrue(plan.contains("delete the claim and the pod postgresql-0"), plan);
    assertTrue(plan.contains("postgresql-1 answers as a standby"), "the approver learns a standby answers: " + plan);
    verify(kubernetes, never()).keepVolumes(any(), anyString(), anyString());

    run.approve(new ApprovalDecision("alice", "volume corrupted", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals(List.of("diagnose", "choose-backup", "approval", "keep-volume", "stop-writers", "recreate-pod", "await-pod", "restore",
        "check-restore", "swap", "verify", "restart-writers", "check-writers"), report.steps().stream().map(s -> s.name()).toList());
    InOrder order = inOrder(kubernetes, restore, postgres);
    order.verify(kubernetes).keepVolumes(any(), eq("postgresql-0"), anyString());
    order.verify(kubernetes).stopWriters(any(), anyString());
    order.verify(kubernetes).recreatePod(any(), eq("postgresql-0"), eq(List.of(KEPT)), anyString());
    order.verify(kubernetes).awaitPodReady(any(), eq("postgresql-0"), eq(List.of(KEPT)));
    order.verify(restore).restoreBackup(argThat(s -> s.host().equals("10.0.0.20")), any(), any(), anyString());
    order.verify(restore).swapDatabases(argThat(s -> s.host().equals("10.0.0.20")), eq("fabrica_db"), anyString(), anyString());
    order.verify(postgres).verifyPrimary(argThat(s -> s.host().equals("10.0.0.20")), any(), anyString());
    order.verify(kubernetes).restartWriters(any(), any());
    assertEquals("postgresql-0", ((RestoreOutcome) report.result()).rebuiltPod());
    assertEquals(List.of(KEPT), ((RestoreOutcome) report.result()).keptVolumes());
    assertTrue(report.message().contains("old volume is kept: pvc-0a1b (claim data-postgresql-0, reclaim policy Retain, was Delete)"),
        report.message());
    assertTrue(report.message().contains("Re-clone postgresql-1"), report.message());
  }

  @Test
  void rejectingTheRebuildKeepsAndDeletesNothing() throws Exception {
    primaryBroken();
    RestoreFromBackupWorkflow run = start(target(), null, null);
    awaitStatus(run, s -> s.pendingApproval() != null);
    run.reject(new ApprovalDecision("bob", "the disk will come back", false));

    assertEquals(RecoveryReport.ABORTED, result().outcome());
    verifyNothingChanged();
  }

  @Test
  void aVolumeThatCannotBeKeptStopsTheRunBeforeAnythingIsDeleted() {
    primaryBroken();
    when(kubernetes.keepVolumes(any(), eq("postgresql-0"), anyString())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "PersistentVolumeClaim fabrica-agentes/data-postgresql-0 is not bound to a volume", "VolumeNotKept"));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("step keep-volume failed: PersistentVolumeClaim"), report.message());
    assertTrue(report.message().contains("Not done: stop-writers, recreate-pod, restore, swap, restart-writers."), report.message());
    verify(kubernetes, never()).stopWriters(any(), anyString());
    verify(kubernetes, never()).recreatePod(any(), anyString(), any(), anyString());
    verify(restore, never()).restoreBackup(any(), any(), any(), anyString());
  }

  @Test
  void aRecreatedPodThatComesBackAsAStandbyGetsNoRestoreAndTheWritersStayStopped() {
    primaryBroken();
    when(postgres.inspectServer(argThat(s -> s != null && s.host().equals("10.0.0.20")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.20:5432", true, null, true, null, "0/1000000", "0/1000000", now, false, "15.8", List.of(), false));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("postgresql-0 came back on a new volume but as a standby"), report.message());
    assertTrue(report.message().contains("Writers stay stopped"), report.message());
    assertTrue(report.message().contains("old volume is kept: pvc-0a1b"), report.message());
    verify(restore, never()).restoreBackup(any(), any(), any(), anyString());
    verify(kubernetes, never()).restartWriters(any(), any());
  }

  @Test
  void aServicePodThatAnswersAsAStandbyIsNeverRecreated() {
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, true, null, "0/5000000", "0/5000000", now, false, "15.8", List.of(), false));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("postgresql-0 (the Service's pod) answers as a standby"), report.message());
    assertTrue(report.message().contains("Nothing was changed"), report.message());
    verifyNothingChanged();
  }

  @Test
  void abortWhileChoosingTheBackupStopsTheRunBeforeItsPreApprovalIsUsed() throws Exception {
    CountDownLatch listing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BackupCatalog catalog = backups.listBackups(LOCATION);
    when(backups.listBackups(any())).thenAnswer(call -> {
      listing.countDown();
      release.await(30, TimeUnit.SECONDS);
      return catalog;
    });
    RestoreFromBackupWorkflow run = start(target(), null, new ApprovalDecision("alice", "--yes", false));
    assertTrue(listing.await(30, TimeUnit.SECONDS), "the backups were never listed");

    ApprovalRecord aborted = run.abort(new AbortRequest("bob", "the corruption was a false alarm"));
    release.countDown();

    assertEquals("run", aborted.step(), "no step was pending yet");
    RecoveryReport report = result();
    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertTrue(report.message().contains("aborted by bob"), report.message());
    assertEquals("skipped", report.steps().get(report.steps().size() - 1).outcome());
    verifyNothingChanged();
  }

  @Test
  void theRestoreStepsAreNamedForTheUi() throws Exception {
    start(target(), null, new ApprovalDecision("alice", "--yes", false));
    RecoveryReport report = result();

    List<String> summaries = client.fetchHistory("recovery-fabrica-agentes.postgresql").getEvents().stream()
        .filter(e -> e.hasUserMetadata() && e.getUserMetadata().hasSummary())
        .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(e.getUserMetadata().getSummary(), String.class, String.class))
        .toList();
    assertTrue(summaries.contains("restore " + OLDER + " into " + ((RestoreOutcome) report.result()).restoredInto()), summaries.toString());
    assertTrue(summaries.contains("stop writers: scale fabrica-api, fabrica-workers to 0"), summaries.toString());
    SearchAttributes attributes = client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").describe().getTypedSearchAttributes();
    assertEquals("RestoreFromBackup", attributes.get(RunSearchAttributes.SCENARIO));
    assertEquals("succeeded", attributes.get(RunSearchAttributes.PHASE));
  }

  private void verifyNothingChanged() {
    verify(kubernetes, never()).keepVolumes(any(), anyString(), anyString());
    verify(kubernetes, never()).recreatePod(any(), anyString(), any(), anyString());
    verify(kubernetes, never()).stopWriters(any(), anyString());
    verify(restore, never()).restoreBackup(any(), any(), any(), anyString());
    verify(restore, never()).swapDatabases(any(), anyString(), anyString(), anyString());
    verify(kubernetes, never()).restartWriters(any(), any());
  }
}
