package io.pgdr.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.ports.DataVolume;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.FenceResult;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.StandbyStreaming;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunResults;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.mockito.InOrder;

/** The switchover drill with the adapters mocked: what it asks, the order of its calls, how it judges. */
@Execution(ExecutionMode.CONCURRENT)
class SwitchoverDrillWorkflowTest {

  static final String DRILL = "drill-fabrica-agentes.postgresql";
  static final List<String> PLANNED = List.of("markers", "switch-over", "restart-apps", "verify-switch", "rejoin-old", "markers-again",
      "switch-back", "restart-apps-again", "verify-back", "rejoin-back", "count-markers", "clean-up");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(FailoverDrillWorkflowImpl.class).build();

  private DrillMocks.Adapters adapters;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    Instant now = Instant.ofEpochMilli(env.currentTimeMillis());
    adapters = new DrillMocks.Adapters(now);
    // after the first switch postgresql-1 answers as the primary
    when(adapters.postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-1")))).thenReturn(
        new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/5000000", "0/5000000", now, false, "15.8", List.of(), false),
        new ServerState("postgresql-1", "10.0.0.11:5432", true, null, false, "0/6000000", null, null, null, true, "15.8", List.of(), false));
    when(adapters.postgres.fenceServer(any())).thenAnswer(call -> new FenceResult(((PostgresServer) call.getArgument(0)).pod(), true, 2, null));
    when(adapters.postgres.awaitReplayed(any(), anyString())).thenAnswer(call -> call.getArgument(1));
    when(adapters.postgres.promoteServer(any())).thenAnswer(call ->
        new PromotionResult(((PostgresServer) call.getArgument(0)).pod(), false, "0/5000000", "0/5000100"));
    when(adapters.postgres.writeMarkers(any(), anyString(), anyString(), eq(1), eq(100))).thenReturn("0/5000000");
    when(adapters.postgres.writeMarkers(any(), anyString(), anyString(), eq(101), eq(200))).thenReturn("0/6000000");
    when(adapters.postgres.countMarkers(any(), anyString(), anyString())).thenReturn(200L);
    when(adapters.kubernetes.holdPod(any(), anyString(), anyString())).thenAnswer(call ->
        new DataVolume("data-" + call.getArgument(1), "pv", "/var/lib/pv", "fabrica-agentes", "postgresql"));
    when(adapters.rejoin.inspectDivergence(any(), any(), any())).thenReturn(
        new Divergence(Divergence.REWIND, "0/5000100", 1, "0/5000120", 32, 0, null, null, null));
    when(adapters.rejoin.rejoinAsStandby(any(), any(), any(), anyString(), any(), anyString())).thenReturn(
        new RejoinResult(Divergence.REWIND, null, "the new primary's settings", null));
    when(adapters.rejoin.awaitStreaming(any(), anyString())).thenAnswer(call ->
        new StandbyStreaming(call.getArgument(1), "streaming", "0/6000000", "0/6000000", 0));
  }

  @Test
  void theSwitchoverAsksThenMovesThePrimaryToTheStandbyAndBackWithEveryMarkerAndEachDirectionsRto(TestWorkflowEnvironment env,
      Worker worker) throws Exception {
    adapters.start(env, worker);
    FailoverDrillWorkflow run = start(DrillMocks.target(), null);
    RunStatus waiting = RunResults.awaitApproval(run);
    assertTrue(waiting.pendingApproval().summary().startsWith("switch the primary of fabrica-db from postgresql-0 to postgresql-1 and back"),
        waiting.pendingApproval().summary());
    assertEquals(PLANNED, waiting.pendingApproval().plan().stream().filter(l -> !l.startsWith("note: "))
        .map(l -> l.substring(0, l.indexOf(" ["))).toList());
    verify(adapters.postgres, never()).fenceServer(any());

    run.approve(new ApprovalDecision("alice", "staging drill", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertTrue(report.message().startsWith("drill passed: RTO postgresql-0 -> postgresql-1: verified"), report.message());
    assertTrue(report.message().contains("all 200 markers written before the switches are on postgresql-0: nothing lost"), report.message());
    InOrder order = inOrder(adapters.postgres, adapters.kubernetes, adapters.rejoin, adapters.restore);
    order.verify(adapters.postgres).writeMarkers(pod("postgresql-0"), anyString(), anyString(), eq(1), eq(100));
    order.verify(adapters.postgres).fenceServer(pod("postgresql-0"));
    order.verify(adapters.postgres).awaitReplayed(pod("postgresql-1"), eq("0/5000000"));
    order.verify(adapters.postgres).promoteServer(pod("postgresql-1"));
    order.verify(adapters.kubernetes).repointService(any(), eq("postgresql-1"));
    order.verify(adapters.postgres).verifyPrimary(pod("postgresql-1"), any(), anyString());
    order.verify(adapters.kubernetes).holdPod(any(), eq("postgresql-0"), anyString());
    order.verify(adapters.rejoin).rejoinAsStandby(any(), pod("postgresql-0"), pod("postgresql-1"), anyString(), any(), anyString());
    order.verify(adapters.kubernetes).unfencePod(any(), eq("postgresql-0"));
    order.verify(adapters.postgres).writeMarkers(pod("postgresql-1"), anyString(), anyString(), eq(101), eq(200));
    order.verify(adapters.postgres).fenceServer(pod("postgresql-1"));
    order.verify(adapters.postgres).awaitReplayed(pod("postgresql-0"), eq("0/6000000"));
    order.verify(adapters.postgres).promoteServer(pod("postgresql-0"));
    order.verify(adapters.kubernetes).repointService(any(), eq("postgresql-0"));
    order.verify(adapters.kubernetes).holdPod(any(), eq("postgresql-1"), anyString());
    order.verify(adapters.kubernetes).unfencePod(any(), eq("postgresql-1"));
    order.verify(adapters.postgres).countMarkers(pod("postgresql-0"), anyString(), anyString());
    order.verify(adapters.restore).dropScratchDatabase(pod("postgresql-0"), argThat(io.pgdr.restore.DatabaseNames::isDrillScratch));
    DrillOutcome outcome = (DrillOutcome) report.result();
    assertEquals(2, outcome.switches().size());
    assertEquals("postgresql-1", outcome.switches().get(0).to());
    assertEquals("postgresql-0", outcome.switches().get(1).to());
    outcome.switches().forEach(s -> assertNotNull(s.seconds(), "each direction's RTO measured: " + s));
    assertEquals(200L, outcome.markersFound());
    assertEquals(true, outcome.passed());
    assertEquals(PLANNED, report.steps().stream().map(s -> s.name()).filter(PLANNED::contains).toList(), "the steps that ran are the plan");
    // both directions restart the applications, each under its own key (once even on retry)
    org.mockito.ArgumentCaptor<String> keys = org.mockito.ArgumentCaptor.forClass(String.class);
    verify(adapters.kubernetes, org.mockito.Mockito.times(2)).restartDeployments(any(), keys.capture());
    assertEquals(2, new java.util.HashSet<>(keys.getAllValues()).size(), keys.getAllValues().toString());
    assertTrue(!report.message().contains("held or fenced"), "each old primary came back: nothing is left for a person: " + report.message());
  }

  @Test
  void aMarkerMissingAfterTheSwitchesFailsTheDrillWithTheReasonFirstAndStillDropsTheScratchDatabase(TestWorkflowEnvironment env,
      Worker worker) {
    when(adapters.postgres.countMarkers(any(), anyString(), anyString())).thenReturn(199L);
    adapters.start(env, worker);
    start(DrillMocks.target(), new ApprovalDecision("alice", "--yes", false));

    RecoveryReport report = failedReport();

    assertTrue(report.message().startsWith("drill failed: RPO: 199 of 200 markers found on postgresql-0, ABOVE the objective of no loss"),
        report.message());
    verify(adapters.restore).dropScratchDatabase(pod("postgresql-0"), anyString());
  }

  /**
   * A switchover cancelled between its switches (a recovery of the database starting, the UI's
   * Cancel): its markers are dropped on the primary of that moment, and the report says where it
   * stopped: the standby promoted, the old primary fenced, for a person or pgdr rejoin.
   */
  @Test
  void aSwitchoverCancelledBetweenItsSwitchesDropsItsMarkersOnTheNewPrimaryAndSaysWhereItStopped(TestWorkflowEnvironment env,
      Worker worker) throws Exception {
    java.util.concurrent.CountDownLatch rejoining = new java.util.concurrent.CountDownLatch(1);
    when(adapters.rejoin.rejoinAsStandby(any(), any(), any(), anyString(), any(), anyString())).thenAnswer(call -> {
      rejoining.countDown();
      while (true) {
        io.temporal.activity.Activity.getExecutionContext().heartbeat("rewinding");
        Thread.sleep(100);
      }
    });
    adapters.start(env, worker);
    start(DrillMocks.target(), new ApprovalDecision("alice", "--yes", false));
    assertTrue(rejoining.await(20, java.util.concurrent.TimeUnit.SECONDS));
    client.newUntypedWorkflowStub(DRILL).cancel();

    verify(adapters.restore, org.mockito.Mockito.timeout(20_000)).dropScratchDatabase(pod("postgresql-1"),
        argThat(io.pgdr.restore.DatabaseNames::isDrillScratch));
    assertThrows(WorkflowFailedException.class, this::result);
    RecoveryReport report = client.newWorkflowStub(FailoverDrillWorkflow.class, DRILL).status().report();
    assertEquals(RecoveryReport.CANCELLED, report.outcome());
    assertTrue(report.message().contains("postgresql-1 is the primary and postgresql-0 is fenced: bring postgresql-0 back with pgdr rejoin"),
        report.message());
    verify(adapters.postgres, never()).fenceServer(pod("postgresql-1"));
    verify(adapters.kubernetes, never()).unfencePod(any(), anyString());
  }

  @Test
  void withoutAStreamingStandbyNothingIsFencedAndTheDrillSaysWhy(TestWorkflowEnvironment env, Worker worker) {
    when(adapters.postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-1")))).thenReturn(
        new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/4000000", "0/4000000", null, false, "15.8", List.of(),
            false, false));
    adapters.start(env, worker);
    start(DrillMocks.target(), new ApprovalDecision("alice", "--yes", false));

    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("a switchover needs a streaming standby of postgresql-0"), report.message());
    verify(adapters.postgres, never()).fenceServer(any());
    verify(adapters.postgres, never()).writeMarkers(any(), anyString(), anyString(), org.mockito.ArgumentMatchers.anyInt(),
        org.mockito.ArgumentMatchers.anyInt());
  }

  private static PostgresServer pod(String name) {
    return argThat(s -> s != null && s.pod().equals(name));
  }

  private FailoverDrillWorkflow start(DatabaseTarget target, ApprovalDecision preApproval) {
    FailoverDrillWorkflow run = client.newWorkflowStub(FailoverDrillWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forDrill(target)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::drill, new FailoverDrillRequest(target, null, "sre@example", preApproval, null, DrillModes.SWITCHOVER));
    return run;
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub(DRILL).getResult(RecoveryReport.class);
  }

  private RecoveryReport failedReport() {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    return assertInstanceOf(ApplicationFailure.class, failed.getCause()).getDetails().get(RecoveryReport.class);
  }
}
