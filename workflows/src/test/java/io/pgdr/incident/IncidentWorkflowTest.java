package io.pgdr.incident;

import static io.pgdr.incident.OutageScene.PRIMARY;
import static io.pgdr.incident.OutageScene.REPLICA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.outage.TransientOutageWorkflow;
import io.pgdr.outage.TransientOutageWorkflowImpl;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflowImpl;
import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.PodState;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunResults;
import io.pgdr.run.RunStatus;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** An incident from what was observed to the scenario it recommends, and the child run it starts. */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class IncidentWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(IncidentWorkflowImpl.class,
      ReplicaPromotionWorkflowImpl.class, ConnectionPoolRecoveryWorkflowImpl.class, TransientOutageWorkflowImpl.class).build();

  private OutageScene scene;
  private final io.pgdr.ports.PatroniActivities patroni = org.mockito.Mockito.mock(io.pgdr.ports.PatroniActivities.class,
      org.mockito.Mockito.withSettings().withoutAnnotations());
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    scene = new OutageScene(env, worker);
    worker.registerActivitiesImplementations(patroni);
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    env.start();
  }

  @Test
  void aDeadPrimaryWithAHealthyReplicaIsAPromotionStartedAfterAnApprovalThatShowsTheAssessment() throws Exception {
    Alert down = new Alert("PostgresDown", Alert.FIRING, scene.now.minusSeconds(40), null, "fp1", PRIMARY, "postgresql-0 is down");
    IncidentWorkflow run = start(OutageScene.target(), new IncidentRequest(OutageScene.target(), null, "alertmanager", null, null, null, List.of(down)));

    RunStatus waiting = RunResults.awaitApproval(run);
    assertEquals("recover", waiting.pendingApproval().step());
    assertTrue(waiting.pendingApproval().summary().startsWith("start ReplicaPromotion for fabrica-db"), waiting.pendingApproval().summary());
    List<String> shown = waiting.pendingApproval().plan();
    assertTrue(shown.stream().anyMatch(l -> l.startsWith("note: server postgresql-0: does not answer (Connection refused)")), shown.toString());
    assertTrue(shown.stream().anyMatch(l -> l.startsWith("note: log postgresql-0: LOG:  database system is shut down")), shown.toString());
    assertTrue(shown.stream().anyMatch(l -> l.startsWith("note: connectivity: Service postgresql") && l.contains("does not answer")), shown.toString());
    assertTrue(shown.stream().anyMatch(l -> l.startsWith("note: candidate: postgresql-1")), shown.toString());
    assertEquals(REPLICA, waiting.pendingApproval().subject());

    run.approve(new ApprovalDecision("alice", "primary gone", false));
    RecoveryReport report = incidentResult();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals(down.startsAt(), report.incidentStart(), "the incident starts when its earliest alert did");
    IncidentOutcome outcome = (IncidentOutcome) report.result();
    assertEquals(ReplicaPromotionWorkflow.SCENARIO, outcome.recommended());
    assertEquals("recovery-fabrica-agentes.postgresql", outcome.child());
    assertEquals(RecoveryReport.SUCCEEDED, outcome.childReport().outcome());
    ApprovalRecord passedOn = outcome.childReport().approvals().get(0);
    assertEquals("alice", passedOn.by(), "the incident's approval is the promotion's pre-approval");
    assertTrue(passedOn.reason().startsWith("approved in incident incident-fabrica-agentes.postgresql"), passedOn.reason());
    verify(scene.postgres).promoteServer(any());
    assertTrue(report.rto().measuredSeconds() != null, "the promotion's verification ends the incident's RTO");
  }

  @Test
  void aPolicyApprovesAPromotionWithinTheRpoAndTheRunsSayItWasThePolicy() {
    DatabaseTarget target = OutageScene.target(List.of(ApprovalPolicy.PROMOTE_WITHIN_RPO), "dba-team");
    start(target, new IncidentRequest(target, null, "alertmanager", null, null, "PostgresDown", List.of()));

    RecoveryReport report = incidentResult();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    ApprovalRecord incident = report.approvals().get(0);
    assertEquals("policy promote-within-rpo (owner dba-team)", incident.by());
    assertTrue(incident.byPolicy());
    assertTrue(incident.reason().contains("within the RPO of 60 s"), incident.reason());
    assertTrue(incident.reason().contains("the old primary postgresql-0 does not answer as a primary, and is fenced"), incident.reason());
    ApprovalRecord promotion = ((IncidentOutcome) report.result()).childReport().approvals().get(0);
    assertEquals("policy promote-within-rpo (owner dba-team)", promotion.by(), "the promotion checked the policy again itself");
    verify(scene.postgres).promoteServer(any());
  }

  @Test
  void aPolicyDoesNotApproveALossAboveTheRpo() throws Exception {
    DatabaseTarget target = OutageScene.target(List.of(ApprovalPolicy.PROMOTE_WITHIN_RPO), "dba-team");
    scene.primary(io.pgdr.ports.ServerState.unreachable(PRIMARY, "10.0.0.10:5432", "Connection refused"));
    // the replica last replayed 10 minutes before the incident: above the RPO of 1 minute
    org.mockito.Mockito.when(scene.postgres.inspectServer(org.mockito.ArgumentMatchers.argThat(s -> s != null && s.pod().equals(REPLICA))))
        .thenReturn(new io.pgdr.ports.ServerState(REPLICA, "10.0.0.11:5432", true, null, true, null, "0/3000100", "0/3000000",
            scene.now.minusSeconds(600), false, "15.8", List.of(), false));
    IncidentWorkflow run = start(target, new IncidentRequest(target, scene.now, "sre", null, null, "PostgresDown", List.of()));

    RunStatus waiting = RunResults.awaitApproval(run);
    assertTrue(waiting.pendingApproval().rpoExceeded());
    assertTrue(waiting.warnings().stream().anyMatch(w -> w.startsWith("policy promote-within-rpo did not approve")), waiting.warnings().toString());
    run.reject(new ApprovalDecision("alice", "wait for the primary", false));
    assertEquals(RecoveryReport.ABORTED, incidentResult().outcome());
    verify(scene.postgres, never()).promoteServer(any());
  }

  @Test
  void onAPatroniTargetPatronisViewIsAFindingAndOnlyPatroniFailsOver() {
    org.mockito.Mockito.when(patroni.describePatroni(any(), org.mockito.ArgumentMatchers.anyList())).thenReturn(new io.pgdr.ports.PatroniView(
        "postgresql-1", false, List.of(new io.pgdr.ports.PatroniMember("postgresql-1", "replica", "streaming", "10.0.0.11", 5432, 1, 0L,
            false, false, false)), 1048576L, false, null, null));
    DatabaseTarget t = OutageScene.target();
    DatabaseTarget target = new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(),
        t.postgres(), t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(),
        new io.pgdr.target.PatroniAccess("http://{pod}.postgresql:8008", null, null), null, null);
    start(target, new IncidentRequest(target, null, "sre", null, true, "PostgresDown", List.of()));

    RecoveryReport plan = incidentResult();

    IncidentOutcome outcome = (IncidentOutcome) plan.result();
    assertEquals("PatroniFailover", outcome.recommended(), outcome.reasons().toString());
    assertTrue(outcome.findings().stream().anyMatch(f -> f.startsWith("patroni: no member leads") && f.contains("postgresql-1 replica streaming")),
        outcome.findings().toString());
    verify(scene.postgres, never()).promoteServer(any());
  }

  @Test
  void connectionsNearTheLimitWithIdleTransactionsArePoolRecovery() {
    ClientSession stale = new ClientSession(4242, scene.now.minusSeconds(3600), "fabrica", "fabrica-api", "10.0.1.7", "idle in transaction", 912,
        "UPDATE stories SET ...");
    scene.primaryUp(new ConnectionsReport(100, 3, Map.of("idle in transaction", 90, "active", 5), List.of(stale), List.of()));
    start(OutageScene.target(), new IncidentRequest(OutageScene.target(), null, "sre", null, true, "too many clients", List.of()));

    RecoveryReport plan = incidentResult();

    assertEquals(RecoveryReport.PLANNED, plan.outcome(), plan.message());
    IncidentOutcome outcome = (IncidentOutcome) plan.result();
    assertEquals(ConnectionPoolRecoveryWorkflow.SCENARIO, outcome.recommended());
    assertTrue(outcome.reasons().stream().anyMatch(r -> r.contains("95 of 100 connections in use")), outcome.reasons().toString());
    assertNull(outcome.child(), "a plan starts nothing");
    assertTrue(plan.plan().stream().anyMatch(s -> s.name().equals("recover") && s.destructive()));
  }

  @Test
  void aPodComingBackIsATransientOutageStartedAtOnce() {
    scene.primaryPod(new PodState(PRIMARY, "Pending", false, 0, "10.0.0.10", 5432, false));
    // the pod is back when the wait diagnoses it: no timer to skip (the wait's own test skips its timers)
    org.mockito.Mockito.when(scene.postgres.inspectServer(org.mockito.ArgumentMatchers.argThat(s -> s != null && s.pod().equals(PRIMARY))))
        .thenReturn(io.pgdr.ports.ServerState.unreachable(PRIMARY, "10.0.0.10:5432", "Connection refused"))
        .thenReturn(new io.pgdr.ports.ServerState(PRIMARY, "10.0.0.10:5432", true, null, false, "0/3000100", null, null, null, false, "15.8",
            List.of(), false));
    start(OutageScene.target(), new IncidentRequest(OutageScene.target(), null, "sre", null, null, null, List.of()));

    RecoveryReport report = incidentResult();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    IncidentOutcome outcome = (IncidentOutcome) report.result();
    assertEquals(TransientOutageWorkflow.SCENARIO, outcome.recommended());
    assertTrue(report.approvals().isEmpty(), "nothing was asked: the wait changes nothing unless it asks itself");
    assertEquals(RecoveryReport.SUCCEEDED, outcome.childReport().outcome(), outcome.childReport().message());
    verify(scene.kubernetes, never()).restartPod(any(), anyString(), anyString());
    verify(scene.postgres, never()).promoteServer(any());
  }

  @Test
  void badDataIsRestoreOrPitrAndNeverStarted() {
    scene.primaryUp(new ConnectionsReport(100, 3, Map.of("active", 5), List.of(), List.of()));
    start(OutageScene.target(), new IncidentRequest(OutageScene.target(), null, "sre", null, null,
        "a bad migration deleted the stories table", List.of()));

    RecoveryReport report = incidentResult();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    IncidentOutcome outcome = (IncidentOutcome) report.result();
    assertEquals(Recommendation.RESTORE_OR_PITR, outcome.recommended());
    assertNull(outcome.child());
    assertTrue(report.message().contains("which one, and which backup or time, is a person's choice"), report.message());
    verify(scene.postgres, never()).promoteServer(any());
  }

  @Test
  void aRepeatedAlertIsRecordedOnceAndAResolvedOneIsNoted() throws Exception {
    Alert down = new Alert("PostgresDown", Alert.FIRING, scene.now.minusSeconds(40), null, "fp1", PRIMARY, "postgresql-0 is down");
    IncidentWorkflow run = start(OutageScene.target(), new IncidentRequest(OutageScene.target(), null, "alertmanager", null, null, null, List.of(down)));
    RunResults.awaitApproval(run);

    run.alert(down);
    run.alert(new Alert("PostgresDown", Alert.RESOLVED, down.startsAt(), scene.now, "fp1", PRIMARY, "postgresql-0 is down"));
    run.reject(new ApprovalDecision("alice", "it came back", false));
    RecoveryReport report = incidentResult();

    List<Alert> alerts = ((IncidentOutcome) report.result()).alerts();
    assertEquals(List.of(Alert.FIRING, Alert.RESOLVED), alerts.stream().map(Alert::status).toList(), alerts.toString());
    assertTrue(report.steps().stream().anyMatch(s -> s.detail() != null && s.detail().contains("alert PostgresDown resolved")),
        report.steps().toString());
  }

  private IncidentWorkflow start(DatabaseTarget target, IncidentRequest request) {
    WorkflowOptions options = WorkflowOptions.newBuilder(RecoveryOptions.forIncident(target, request.start())).setTaskQueue(taskQueue).build();
    IncidentWorkflow run = client.newWorkflowStub(IncidentWorkflow.class, options);
    WorkflowClient.start(run::handle, request);
    return run;
  }

  private RecoveryReport incidentResult() {
    WorkflowStub stub = client.newUntypedWorkflowStub("incident-fabrica-agentes.postgresql");
    return stub.getResult(RecoveryReport.class);
  }
}
