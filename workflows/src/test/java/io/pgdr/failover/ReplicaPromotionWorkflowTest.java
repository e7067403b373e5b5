package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.cluster;
import static io.pgdr.failover.FailoverFixtures.deadPrimary;
import static io.pgdr.failover.FailoverFixtures.promoted;
import static io.pgdr.failover.FailoverFixtures.standby;
import static io.pgdr.failover.FailoverFixtures.target;
import static io.pgdr.failover.FailoverFixtures.verified;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.FenceResult;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.ports.ServerState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Every branch of the failover workflow, with the adapters mocked and time skipped. */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class ReplicaPromotionWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    when(kubernetes.describeCluster(any())).thenReturn(cluster());
    when(kubernetes.restartDeployments(any(), anyString())).thenReturn(List.of("fabrica-api", "fabrica-workers"));
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-0")))).thenReturn(deadPrimary());
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(standby(Instant.ofEpochMilli(env.currentTimeMillis())));
    when(postgres.fenceServer(any())).thenReturn(new FenceResult("postgresql-0", false, 0, "Connection refused"));
    when(postgres.promoteServer(any())).thenReturn(promoted());
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(verified());
    worker.registerActivitiesImplementations(kubernetes, postgres, notifications);
    env.start();
  }

  private ReplicaPromotionWorkflow start(DatabaseTarget target, Instant incidentStart, ApprovalDecision preApproval) {
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class, options(target));
    WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target, incidentStart, "sre@example", preApproval));
    return run;
  }

  private static RunStatus awaitStatus(ReplicaPromotionWorkflow run, Predicate<RunStatus> condition) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      RunStatus status = run.status();
      if (condition.test(status)) {
        return status;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("run never reached the expected state; last: " + run.status());
  }

  private static RunStatus awaitApproval(ReplicaPromotionWorkflow run) throws InterruptedException {
    return awaitStatus(run, s -> s.pendingApproval() != null);
  }

  @Test
  void approvedFailoverFencesPromotesRepointsRestartsAndVerifies() throws Exception {
    ReplicaPromotionWorkflow run = start(target(), null, null);
    RunStatus waiting = awaitApproval(run);
    assertEquals("awaiting-approval", waiting.phase());
    assertEquals("postgresql-1", waiting.pendingApproval().subject());
    assertEquals(6, waiting.pendingApproval().plan().size());
    assertTrue(waiting.pendingApproval().plan().get(5).startsWith("offer-rejoin [temporal, reads]: offer the rejoin of postgresql-0 as standbys of"
        + " postgresql-1"), waiting.pendingApproval().plan().get(5));
    verify(postgres, never()).promoteServer(any());

    run.approve(new ApprovalDecision("alice", "primary node lost", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertEquals("postgresql-1", ((PromotionOutcome) report.result()).newPrimary());
    assertEquals(1, report.approvals().size());
    ApprovalRecord approval = report.approvals().get(0);
    assertEquals("alice", approval.by());
    assertEquals("primary node lost", approval.reason());
    assertTrue(approval.approved());
    assertNotNull(report.rto().measuredSeconds());
    assertEquals(3600, report.rto().objectiveSeconds());
    assertFalse(report.rto().breached());
    assertEquals(0L, ((PromotionOutcome) report.result()).estimatedLossBytes());
    assertEquals(List.of("diagnose", "choose-candidate", "approval", "fence", "promote", "repoint", "restart-apps", "verify", "offer-rejoin"),
        report.steps().stream().map(s -> s.name()).toList());
    // the rejoin runs on its own, under the database's rejoin ID, and asks its own approval
    var rejoinStarted = client.fetchHistory("rejoin-fabrica-agentes.postgresql").getEvents().get(0)
        .getWorkflowExecutionStartedEventAttributes();
    assertEquals("Rejoin", rejoinStarted.getWorkflowType().getName());
    assertTrue(report.steps().get(8).detail().contains("rejoin offered as rejoin-fabrica-agentes.postgresql"), report.steps().get(8).toString());
    assertTrue(report.steps().stream().allMatch(s -> "succeeded".equals(s.outcome())), report.steps().toString());

    verify(kubernetes).fencePod(any(), eq("postgresql-0"), anyString());
    verify(postgres, times(1)).promoteServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")));
    verify(kubernetes).repointService(any(), eq("postgresql-1"));
    verify(kubernetes).repointConfigMap(any(), eq("postgresql-1"));
    verify(kubernetes).restartDeployments(any(), anyString());
    verify(postgres).verifyPrimary(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")), eq(List.of("stories")), anyString());
  }

  @Test
  void aRejoinAlreadyRunningIsFollowedNotStartedTwiceAndTheFailoverStillSucceeds() throws Exception {
    // a rejoin of this database waits for its approval (started by a person, or by an earlier recovery)
    io.temporal.client.WorkflowStub earlier = client.newUntypedWorkflowStub("Rejoin",
        io.temporal.client.WorkflowOptions.newBuilder().setWorkflowId("rejoin-fabrica-agentes.postgresql").setTaskQueue(taskQueue).build());
    var running = earlier.start(new io.pgdr.rejoin.RejoinRequest(target(), null, "bob", null, null, null));

    ReplicaPromotionWorkflow run = start(target(), null, new ApprovalDecision("alice", "primary node lost", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    var offer = report.steps().get(report.steps().size() - 1);
    assertEquals("offer-rejoin", offer.name());
    assertEquals("succeeded", offer.outcome(), "a rejoin that already runs fails nothing: " + offer);
    assertTrue(offer.detail().contains("a rejoin already runs as rejoin-fabrica-agentes.postgresql: follow it"), offer.toString());
    assertEquals(running.getRunId(), client.newUntypedWorkflowStub("rejoin-fabrica-agentes.postgresql").describe().getExecution().getRunId(),
        "the rejoin that ran is the one that runs: none was started beside it");
    earlier.terminate("test over");
  }

  @Test
  void rejectionAbortsBeforeAnyChange() throws Exception {
    ReplicaPromotionWorkflow run = start(target(), null, null);
    awaitApproval(run);
    run.reject(new ApprovalDecision("bob", "primary is coming back", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertTrue(report.message().contains("rejected by bob"), report.message());
    assertEquals(ApprovalRecord.REJECTED, report.approvals().get(0).decision());
    assertNull(report.rto().measuredSeconds());
    verifyNothingChanged();
  }

  @Test
  void unansweredApprovalEscalatesAndAborts() throws Exception {
    start(target(), null, null);
    RecoveryReport report = result(); // time skips over the 15 minute approval timeout

    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertEquals(ApprovalRecord.TIMED_OUT, report.approvals().get(0).decision());
    verify(notifications).escalate(any(), argThat(e -> e.reason().contains("not answered")));
    verifyNothingChanged();
  }

  @Test
  void approvalFromSomeoneOutsideTheAllowListIsIgnored() throws Exception {
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15), List.of("alice")), null, null);
    awaitApproval(run);
    run.approve(new ApprovalDecision("mallory", "trust me", false));
    RunStatus status = awaitStatus(run, s -> s.warnings().stream().anyMatch(w -> w.contains("mallory")));
    assertNotNull(status.pendingApproval(), "still waiting after an approval from outside the list");

    run.approve(new ApprovalDecision("alice", "ok", false));
    RecoveryReport report = result();
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertEquals("alice", report.approvals().get(0).by());
  }

  @Test
  void candidatePastRpoIsNotPromotedOnAPlainApproval() throws Exception {
    stubLaggingStandby();
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(15), List.of()),
        Instant.ofEpochMilli(env.currentTimeMillis()), null);
    RunStatus waiting = awaitApproval(run);
    assertTrue(waiting.pendingApproval().rpoExceeded());
    assertTrue(waiting.pendingApproval().summary().matches(".*estimated loss [1-9][0-9]* bytes.*"), waiting.pendingApproval().summary());

    run.approve(new ApprovalDecision("alice", "go", false));
    awaitStatus(run, s -> s.warnings().stream().anyMatch(w -> w.contains("RPO override")));
    RecoveryReport report = result(); // nobody overrides: the gate times out

    assertEquals(RecoveryReport.ABORTED, report.outcome());
    verifyNothingChanged();
  }

  @Test
  void candidatePastRpoIsPromotedWithAnExplicitOverride() throws Exception {
    stubLaggingStandby();
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(15), List.of()),
        Instant.ofEpochMilli(env.currentTimeMillis()), new ApprovalDecision("alice", "--yes", false));
    awaitApproval(run); // a pre-approval without override does not cover a loss past the RPO
    run.approve(new ApprovalDecision("alice", "accept the loss, the business signed off", true));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertTrue(report.approvals().get(0).overrideRpo());
    assertEquals(0x5000000L - 0x3000000L, ((PromotionOutcome) report.result()).estimatedLossBytes());
    assertTrue(report.rpo().lostSeconds() > 60, "lost seconds " + report.rpo().lostSeconds());
    verify(postgres).promoteServer(any());
  }

  @Test
  void promotionFailureRepointsNothingAndReportsWhereItStopped() {
    when(postgres.promoteServer(any())).thenThrow(ApplicationFailure.newNonRetryableFailure("pg_promote returned false", "PromotionFailed"));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals(FailureTypes.RECOVERY_FAILED, failure.getType());
    RecoveryReport report = failure.getDetails().get(RecoveryReport.class);
    assertEquals(RecoveryReport.FAILED, report.outcome());
    assertTrue(report.message().contains("pg_promote returned false"), report.message());
    assertTrue(report.message().contains("Service postgresql and ConfigMap fabrica-config still point where they did"), report.message());
    assertTrue(report.message().contains("Changed: fence."), report.message());
    assertTrue(report.message().contains("Not done: repoint, restart-apps."), report.message());
    assertEquals("failed", report.steps().get(report.steps().size() - 1).outcome());
    verify(kubernetes).fencePod(any(), eq("postgresql-0"), anyString());
    verify(kubernetes, never()).repointService(any(), anyString());
    verify(kubernetes, never()).repointConfigMap(any(), anyString());
    verify(kubernetes, never()).restartDeployments(any(), anyString());
  }

  @Test
  void failedVerificationFailsTheRun() {
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
        new VerificationResult("postgresql-1", true, true, Map.of(), List.of(), List.of("table stories does not exist")));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    RecoveryReport report = ((ApplicationFailure) failed.getCause()).getDetails().get(RecoveryReport.class);
    assertTrue(report.message().contains("did not pass verification"), report.message());
    assertNull(report.rto().measuredSeconds());
  }

  @Test
  void noReachableReplicaFailsWithoutChangingAnything() {
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1"))))
        .thenReturn(io.pgdr.ports.ServerState.unreachable("postgresql-1", "10.0.0.11:5432", "timeout"));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    assertTrue(failed.getCause().getMessage().contains("no reachable replica"), failed.getCause().getMessage());
    verifyNothingChanged();
  }

  @Test
  void rtoThresholdsAreRecordedAndBreachEscalates() throws Exception {
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(2), List.of()), null, null);
    awaitApproval(run);
    env.sleep(Duration.ofMinutes(65));
    RunStatus late = awaitStatus(run, RunStatus::rtoBreached);
    assertTrue(late.warnings().stream().anyMatch(w -> w.startsWith("RTO 50%")), late.warnings().toString());
    assertTrue(late.warnings().stream().anyMatch(w -> w.startsWith("RTO 80%")), late.warnings().toString());

    run.approve(new ApprovalDecision("alice", "late but go", false));
    RecoveryReport report = result();
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertTrue(report.rto().breached());
    assertTrue(report.rto().measuredSeconds() > 3600);
    verify(notifications).escalate(any(), argThat(e -> e.reason().startsWith("RTO breached")));
  }

  @Test
  void incidentReportedLateRecordsPassedThresholdsAtOnce() throws Exception {
    Instant incidentStart = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofMinutes(40));
    ReplicaPromotionWorkflow run = start(target(), incidentStart, null);
    RunStatus status = awaitStatus(run, s -> s.warnings().stream().anyMatch(w -> w.startsWith("RTO 50%")));
    assertFalse(status.rtoBreached());
    assertTrue(status.warnings().stream().noneMatch(w -> w.startsWith("RTO 80%")), status.warnings().toString());
  }

  @Test
  void secondStartForTheSameDatabaseIsRefused() throws Exception {
    ReplicaPromotionWorkflow first = start(target(), null, null);
    awaitApproval(first);
    ReplicaPromotionWorkflow second = client.newWorkflowStub(ReplicaPromotionWorkflow.class, options(target()));
    WorkflowExecutionAlreadyStarted refused = assertThrows(WorkflowExecutionAlreadyStarted.class,
        () -> WorkflowClient.start(second::promote, new ReplicaPromotionRequest(target(), null, "bob", null)));
    assertEquals("recovery-fabrica-agentes.postgresql", refused.getExecution().getWorkflowId());
  }

  /** The production options, on the test worker's own task queue. */
  private WorkflowOptions options(DatabaseTarget target) {
    return WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO)).setTaskQueue(taskQueue).build();
  }

  private void stubLaggingStandby() {
    Instant longAgo = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofMinutes(5));
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(FailoverFixtures.laggingStandby(longAgo));
  }

  @Test
  void aPatroniManagedClusterIsNeverPromotedBehindPatronisBack() {
    ServerState standby = standby(Instant.ofEpochMilli(env.currentTimeMillis()));
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(new ServerState(standby.pod(),
        standby.address(), true, null, true, null, standby.receiveLsn(), standby.replayLsn(), standby.lastReplayAt(), false,
        standby.serverVersion(), List.of(), true));
    start(target(), null, new ApprovalDecision("alice", "--yes", false));

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    RecoveryReport report = assertInstanceOf(ApplicationFailure.class, failed.getCause()).getDetails().get(RecoveryReport.class);
    assertEquals(RecoveryReport.FAILED, report.outcome());
    assertTrue(report.message().contains("postgresql-1 is managed by Patroni") && report.message().contains("POST /failover")
        && report.message().contains("Nothing was changed"), report.message());
    verifyNothingChanged();
  }

  @Test
  void aTargetThatSaysPatroniManagesItIsRefusedBeforeAnythingIsRead() {
    DatabaseTarget t = target();
    DatabaseTarget patroni = new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(),
        t.postgres(), t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(),
        new io.pgdr.target.PatroniAccess("http://{pod}.postgresql:8008", null, null), null, null);
    start(patroni, null, new ApprovalDecision("alice", "--yes", false));

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    RecoveryReport report = assertInstanceOf(ApplicationFailure.class, failed.getCause()).getDetails().get(RecoveryReport.class);
    assertTrue(report.message().contains("managed by Patroni") && report.message().contains("Nothing was changed"), report.message());
    verify(postgres, never()).inspectServer(any());
    verifyNothingChanged();
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }

  private void verifyNothingChanged() {
    verify(kubernetes, never()).fencePod(any(), anyString(), anyString());
    verify(postgres, never()).fenceServer(any());
    verify(postgres, never()).promoteServer(any());
    verify(kubernetes, never()).repointService(any(), anyString());
    verify(kubernetes, never()).repointConfigMap(any(), anyString());
    verify(kubernetes, never()).restartDeployments(any(), anyString());
  }
}
