package io.pgdr.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PitrActivities;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoredBase;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
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
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The point-in-time recovery's plan, approval paths and stops, with the adapters mocked and time skipped. */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class PointInTimeRecoveryWorkflowTest {

  static final BackupLocation LOCATION = new BackupLocation("fabrica-agentes-backups", "db/", null, null, null, null, null);
  static final List<String> PLANNED = List.of("keep-volume", "stop-writers", "stop-database", "new-volume", "restore-base",
      "start-recovery", "recover", "verify", "restart-writers", "check-writers", "offer-rejoin");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(PointInTimeRecoveryWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final PitrActivities pitr = mock(PitrActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private final DataVolume newVolume = new DataVolume("data-postgresql-0", "pvc-new", "/var/lib/volumes/pvc-new", "fabrica-agentes", "postgresql");
  private WorkflowClient client;
  private Instant now;
  private Instant targetTime;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    targetTime = now.minus(Duration.ofMinutes(20));
    when(kubernetes.describeCluster(any())).thenReturn(new ClusterState(2, 2, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of("data-postgresql-0", "data-postgresql-1"),
        Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of()));
    when(postgres.inspectServer(any())).thenAnswer(call -> new ServerState(((io.pgdr.ports.PostgresServer) call.getArgument(0)).pod(),
        "10.0.0.10:5432", true, null, false, "0/9000000", null, null, null, false, "15.8", List.of(), false));
    when(pitr.resolveTarget(any(), any())).thenReturn(new PitrResolution(1, "20261207T010000Z", "db/base/20261207T010000Z/",
        List.of("base.tar.gz", "backup_manifest", "pgdr-base.json"), 50_000_000, "0/2000028", "0/2000100", now.minus(Duration.ofHours(2)),
        List.of("000000010000000000000002", "000000010000000000000003"), 32 << 20, List.of("000000010000000000000004"), targetTime,
        "timeline 1 from 0/2000100 to 0/5000000"));
    when(kubernetes.keepVolumes(any(), eq("postgresql-0"), anyString())).thenReturn(List.of(new KeptVolume("data-postgresql-0", "pvc-old", "Delete")));
    when(kubernetes.stopWriters(any(), anyString())).thenReturn(new TreeMap<>(Map.of("fabrica-api", 3)));
    when(kubernetes.stopDatabase(any(), anyString())).thenReturn(2);
    when(kubernetes.freshVolume(any(), eq("postgresql-0"), anyList(), anyString())).thenReturn(newVolume);
    when(pitr.restoreBase(any(), any(), any(), any(), anyString())).thenReturn(new RestoredBase(1200, 50_000_000, 1150, 3.2));
    when(pitr.recoverToTarget(any(), any(), any(), any(), any())).thenReturn(new RecoveryReached(2, "0/3A00100",
        targetTime.minusSeconds(1), 3, 0, 0, 48 << 20, 0.9, 4.5));
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
        new VerificationResult("postgresql-0", true, true, Map.of("stories", 42L), List.of(), List.of()));
    when(kubernetes.awaitWritersReady(any(), any())).thenAnswer(call -> call.getArgument(1));
    worker.registerActivitiesImplementations(kubernetes, postgres, pitr, backups, restore, notifications);
    env.start();
  }

  static DatabaseTarget target() {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of("fabrica-api"), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of("stories")), null, LOCATION, null, null, null);
  }

  private PointInTimeRecoveryWorkflow start(PitrTarget recoveryTarget, ApprovalDecision preApproval, Boolean planOnly) {
    PitrRequest request = new PitrRequest(target(), now, "sre@example", recoveryTarget, preApproval, planOnly);
    PointInTimeRecoveryWorkflow run = client.newWorkflowStub(PointInTimeRecoveryWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(request.target(), PointInTimeRecoveryWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::recoverToPoint, request);
    return run;
  }

  private PitrTarget atTarget() {
    return PitrTarget.time(targetTime.toString().replace('T', ' ').replace("Z", "+00"));
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }

  private RecoveryReport failedReport() {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    return failure.getDetails().get(RecoveryReport.class);
  }

  private RunStatus awaitApproval(PointInTimeRecoveryWorkflow run) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      RunStatus status = run.status();
      if (status.pendingApproval() != null) {
        return status;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no approval asked; last: " + run.status());
  }

  @Test
  void theApproverSeesTheBaseTheWalAndWhatIsDiscardedAndThePlanIsWhatRuns() throws Exception {
    PointInTimeRecoveryWorkflow run = start(atTarget(), null, null);
    RunStatus waiting = awaitApproval(run);
    String summary = waiting.pendingApproval().summary();
    assertTrue(summary.contains("from base backup 20261207T010000Z + 2 WAL segments (33554432 bytes)"), summary);
    assertTrue(summary.contains("20m of writes discarded"), summary);
    assertEquals(1200.0, waiting.pendingApproval().estimatedLossSeconds(), 0.001, "incident start minus the target");
    List<String> shown = waiting.pendingApproval().plan().stream().filter(l -> !l.startsWith("note: "))
        .map(l -> l.substring(0, l.indexOf(" ["))).toList();
    assertEquals(PLANNED, shown);
    assertTrue(waiting.pendingApproval().plan().stream().anyMatch(l -> l.startsWith("note: ") && l.contains("postgresql-1 stay stopped")),
        waiting.pendingApproval().plan().toString());

    run.approve(new ApprovalDecision("alice", "bad migration at 10:02", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    List<String> ran = report.steps().stream().map(s -> s.name()).toList();
    assertEquals(PLANNED, ran.subList(ran.indexOf("approval") + 1, ran.size()));
    PitrOutcome outcome = (PitrOutcome) report.result();
    assertEquals(2, outcome.reached().timeline());
    assertEquals(List.of("postgresql-1"), outcome.standbysToReclone());
    assertEquals(1200.0, report.rpo().lostSeconds(), 0.001);
    verify(kubernetes).startDatabase(any(), eq(1));
    ChangeRecord database = report.changes().stream().filter(c -> c.step().equals("stop-database")).findFirst().orElseThrow();
    assertTrue(report.message().contains("the data of postgresql-1 is on the old timeline; re-clone from postgresql-0"), report.message());
    assertTrue(report.message().contains("pvc-old"), "the kept volume is named for the person who deletes it: " + report.message());
    assertEquals(ChangeRecord.HANDED_BACK, report.changes().get(1).state(), "writers came back: " + report.changes());
    assertTrue(database.state() != null);
  }

  @Test
  void aRefusedTargetIsBadInputAndNothingIsTouched() {
    when(pitr.resolveTarget(any(), any())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "target time 2026-12-08 00:00:00+00 is in the future; the recoverable window: timeline 1 from 0/2000100 to 0/5000000",
        FailureTypes.TARGET_REFUSED));
    start(PitrTarget.time("2026-12-08 00:00:00+00"), new ApprovalDecision("alice", "yes", false), null);
    RecoveryReport report = failedReport();

    assertTrue(report.badInput(), report.message());
    assertTrue(report.message().contains("the recoverable window: timeline 1"), report.message());
    assertTrue(report.message().contains("Nothing was changed"), report.message());
    verify(kubernetes, never()).stopWriters(any(), anyString());
    verify(kubernetes, never()).stopDatabase(any(), anyString());
  }

  @Test
  void aTargetOfTwoKindsIsRefusedBeforeTheArchiveIsRead() {
    start(new PitrTarget("2026-12-07 01:00:00", "0/3000000", null, null, null, false), null, null);
    RecoveryReport report = failedReport();

    assertTrue(report.badInput(), report.message());
    assertTrue(report.message().contains("give only one of time, lsn, xid and name"), report.message());
    verify(pitr, never()).resolveTarget(any(), any());
  }

  @Test
  void aPlanOnlyRunValidatesTheTargetAndChangesNothing() {
    start(atTarget(), null, true);
    RecoveryReport report = result();

    assertEquals(RecoveryReport.PLANNED, report.outcome(), report.message());
    assertEquals(PLANNED, report.plan().stream().map(PlannedStep::name).toList());
    verify(pitr).resolveTarget(any(), any());
    verify(kubernetes, never()).keepVolumes(any(), anyString(), anyString());
    verify(kubernetes, never()).stopDatabase(any(), anyString());
  }

  @Test
  void recoveryThatStopsShortOfTheTargetFailsClearlyWithTheOldVolumeKept() {
    when(pitr.recoverToTarget(any(), any(), any(), any(), any())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "recovery ended before reaching the target: the server asked for 000000010000000000000005, past the last WAL",
        FailureTypes.RECOVERY_ENDED_EARLY));
    start(atTarget(), new ApprovalDecision("alice", "yes", false), null);
    RecoveryReport report = failedReport();

    assertEquals(RecoveryReport.FAILED, report.outcome(), report.message());
    assertTrue(report.message().contains("did not recover to time"), report.message());
    assertTrue(report.message().contains("recovery ended before reaching the target"), report.message());
    assertTrue(report.message().contains("pvc-old"), "the kept volume is named: " + report.message());
    assertTrue(report.message().contains("Writers stay stopped"), report.message());
    verify(postgres, never()).verifyPrimary(any(), any(), anyString());
    verify(kubernetes, never()).restartWriters(any(), any());
  }

  @Test
  void aRecoveryThatWentPastTheTargetFailsVerification() {
    when(pitr.recoverToTarget(any(), any(), any(), any(), any())).thenReturn(new RecoveryReached(2, "0/3A00100",
        targetTime.plusSeconds(5), 3, 0, 0, 48 << 20, 0.9, 4.5));
    start(atTarget(), new ApprovalDecision("alice", "yes", false), null);
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("is after the target"), report.message());
    verify(kubernetes, never()).restartWriters(any(), any());
  }

  @Test
  void aRejectedRecoveryChangesNothing() throws Exception {
    PointInTimeRecoveryWorkflow run = start(atTarget(), null, null);
    awaitApproval(run);
    run.reject(new ApprovalDecision("bob", "restore the table from the dump instead", false));
    RecoveryReport report = result();

    assertTrue(report.message().contains("rejected"), report.message());
    verify(kubernetes, never()).keepVolumes(any(), anyString(), anyString());
    verify(kubernetes, never()).stopDatabase(any(), anyString());
  }
}
