package io.pgdr.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.TerminatedSessions;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunResults;
import io.pgdr.run.RunStatus;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pool recovery's plan, approval and stops, with the adapters mocked. */
class ConnectionPoolRecoveryWorkflowTest {

  static final List<String> PLANNED = List.of("terminate-idle", "verify", "recount");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ConnectionPoolRecoveryWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private WorkflowClient client;
  private String taskQueue;
  private Instant now;
  private ClientSession stale;
  private ClientSession running;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    stale = new ClientSession(4242, now.minusSeconds(3600), "fabrica", "fabrica-api", "10.0.1.7", "idle in transaction", 912, "UPDATE stories SET ...");
    running = new ClientSession(4343, now.minusSeconds(600), "fabrica", "fabrica-workers", "10.0.1.8", "active", 420, "SELECT * FROM stories ...");
    when(kubernetes.describeCluster(any())).thenReturn(new ClusterState(2, 2, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of(), Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of()));
    when(postgres.inspectServer(org.mockito.ArgumentMatchers.argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, false, "0/3000100", null, null, null, false, "15.8", List.of(), false));
    when(postgres.inspectServer(org.mockito.ArgumentMatchers.argThat(s -> s != null && s.pod().equals("postgresql-1")))).thenReturn(
        new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/3000100", "0/3000100", now, false, "15.8", List.of(), false));
    when(postgres.describeConnections(any(), any())).thenReturn(
        new ConnectionsReport(100, 3, Map.of("idle in transaction", 90, "active", 5), List.of(stale), List.of(running)),
        new ConnectionsReport(100, 3, Map.of("idle", 12, "active", 5), List.of(), List.of(running)));
    when(postgres.terminateIdleSessions(any(), anyList(), any())).thenReturn(new TerminatedSessions(List.of(stale), List.of(), List.of()));
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
        new VerificationResult("postgresql-0", true, true, Map.of("stories", 42L), List.of(), List.of()));
    worker.registerActivitiesImplementations(kubernetes, postgres, notifications);
    env.start();
  }

  @Test
  void theApproverSeesTheSessionsAndOnlyTheApprovedIdleOnesAreEnded() throws Exception {
    ConnectionPoolRecoveryWorkflow run = start(null, null, Duration.ofSeconds(300));
    RunStatus waiting = RunResults.awaitApproval(run);
    assertTrue(waiting.pendingApproval().summary().contains("end 1 sessions idle in a transaction on fabrica-db (95 of 100 connections"),
        waiting.pendingApproval().summary());
    assertTrue(waiting.pendingApproval().plan().stream().anyMatch(l -> l.contains("pid 4242 (fabrica-api, 912 s)")),
        waiting.pendingApproval().plan().toString());
    assertEquals(PLANNED, waiting.pendingApproval().plan().stream().filter(l -> !l.startsWith("note: "))
        .map(l -> l.substring(0, l.indexOf(" ["))).toList());

    run.approve(new ApprovalDecision("alice", "pool exhausted", false));
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    verify(postgres).terminateIdleSessions(any(), eq(List.of(stale)), eq(Duration.ofSeconds(300)));
    PoolRecoveryOutcome outcome = (PoolRecoveryOutcome) report.result();
    assertEquals(95, outcome.clientsBefore());
    assertEquals(17, outcome.clientsAfter());
    assertEquals(List.of(stale), outcome.terminated());
    assertTrue(report.steps().stream().anyMatch(s -> s.name().equals("connections")), "the diagnosis counted the connections");
  }

  @Test
  void nothingIdleLongEnoughEndsTheRunWithoutAsking() {
    when(postgres.describeConnections(any(), any())).thenReturn(
        new ConnectionsReport(100, 3, Map.of("active", 97), List.of(), List.of(running)));

    start(new ApprovalDecision("alice", "--yes", false), null, null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("no session on postgresql-0 has been idle in a transaction for more than 300 s"), report.message());
    assertTrue(report.message().contains("ending one is a person's decision"), report.message());
    verify(postgres, never()).terminateIdleSessions(any(), anyList(), any());
  }

  @Test
  void noPrimaryIsNoPoolProblem() {
    when(postgres.inspectServer(org.mockito.ArgumentMatchers.argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        ServerState.unreachable("postgresql-0", "10.0.0.10:5432", "Connection refused"));

    start(new ApprovalDecision("alice", "--yes", false), null, null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("no server answers as the primary: this is no pool problem"), report.message());
    verify(postgres, never()).describeConnections(any(), any());
  }

  @Test
  void aPlanEndsNothingAndABadThresholdIsBadInput() {
    start(null, true, null);
    assertEquals(RecoveryReport.PLANNED, RunResults.result(client).outcome());

    start(new ApprovalDecision("alice", "--yes", false), null, Duration.ofSeconds(-5));
    RecoveryReport refused = RunResults.failedReport(client);
    assertTrue(refused.badInput(), refused.message());
    assertTrue(refused.message().contains("idleLongerThan"), refused.message());
    verify(postgres, never()).terminateIdleSessions(any(), anyList(), any());
  }

  @Test
  void aRaiseOfThePoolSizeIsPlannedApprovedRecordedAndHandedBack() throws Exception {
    when(kubernetes.configMapValue(any(), eq("fabrica-config"), eq("DATABASE_POOL_SIZE"))).thenReturn("10");
    when(kubernetes.setConfigMapValue(any(), anyString(), anyString(), anyString(), anyString())).thenReturn("10");
    when(kubernetes.restartDeployments(any(), anyString())).thenReturn(List.of("fabrica-api"));
    DatabaseTarget target = withPoolSize(target());
    PoolRecoveryRequest request = new PoolRecoveryRequest(target, now, "sre@example", null, null, null, 20);
    ConnectionPoolRecoveryWorkflow run = client.newWorkflowStub(ConnectionPoolRecoveryWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, ConnectionPoolRecoveryWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::recoverPool, request);

    RunStatus waiting = RunResults.awaitApproval(run);
    assertTrue(waiting.pendingApproval().summary().contains("and raise DATABASE_POOL_SIZE to 20"), waiting.pendingApproval().summary());
    assertEquals(List.of("terminate-idle", "raise-pool", "restart-apps", "verify", "recount"), waiting.pendingApproval().plan().stream()
        .filter(l -> !l.startsWith("note: ")).map(l -> l.substring(0, l.indexOf(" ["))).toList());
    assertTrue(waiting.pendingApproval().plan().stream().anyMatch(l -> l.contains("from 10 to 20")), waiting.pendingApproval().plan().toString());
    verify(kubernetes, never()).setConfigMapValue(any(), anyString(), anyString(), anyString(), anyString());

    run.approve(new ApprovalDecision("alice", "leak found, pool too small meanwhile", false));
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    verify(kubernetes).setConfigMapValue(any(), eq("fabrica-config"), eq("DATABASE_POOL_SIZE"), eq("20"), anyString());
    verify(kubernetes).restartDeployments(any(), anyString());
    PoolRecoveryOutcome outcome = (PoolRecoveryOutcome) report.result();
    assertEquals("10", outcome.poolSizeBefore());
    assertEquals(20, outcome.poolSizeRaisedTo());
    assertTrue(report.message().contains("DATABASE_POOL_SIZE of ConfigMap fabrica-config is 20 (was 10): put it back"), report.message());
  }

  @Test
  void aRaiseNeedsThePoolSizeKeyInTheTarget() {
    PoolRecoveryRequest request = new PoolRecoveryRequest(target(), now, "sre@example", new ApprovalDecision("alice", "--yes", false), null,
        null, 20);
    WorkflowClient.start(client.newWorkflowStub(ConnectionPoolRecoveryWorkflow.class, WorkflowOptions.newBuilder(
        RecoveryOptions.forTarget(request.target(), ConnectionPoolRecoveryWorkflow.SCENARIO)).setTaskQueue(taskQueue).build())::recoverPool, request);
    RecoveryReport refused = RunResults.failedReport(client);
    assertTrue(refused.badInput(), refused.message());
    assertTrue(refused.message().contains("raisePoolTo: the target names no poolSize"), refused.message());
    verify(kubernetes, never()).setConfigMapValue(any(), anyString(), anyString(), anyString(), anyString());
  }

  static DatabaseTarget withPoolSize(DatabaseTarget t) {
    return new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(), t.postgres(),
        t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(), t.patroni(),
        new io.pgdr.target.PoolSizeRef("fabrica-config", "DATABASE_POOL_SIZE"), t.owner());
  }

  static DatabaseTarget target() {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of("fabrica-api"), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of("stories")), null, null, null, null, null);
  }

  private ConnectionPoolRecoveryWorkflow start(ApprovalDecision preApproval, Boolean planOnly, Duration threshold) {
    PoolRecoveryRequest request = new PoolRecoveryRequest(target(), now, "sre@example", preApproval, planOnly, threshold);
    ConnectionPoolRecoveryWorkflow run = client.newWorkflowStub(ConnectionPoolRecoveryWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(request.target(), ConnectionPoolRecoveryWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::recoverPool, request);
    return run;
  }

}
