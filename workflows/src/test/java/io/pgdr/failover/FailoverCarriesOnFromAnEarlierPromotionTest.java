package io.pgdr.failover;

import static org.junit.jupiter.api.Assertions.assertNull;
import static io.pgdr.failover.FailoverFixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PromotionIntent;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.target.DatabaseTarget;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A failover that finds the cluster already half-moved: its own worker was lost between promote and
 * the end of the workflow task (so the run diagnoses again from scratch), or someone promoted the
 * standby before the run looked. The run carries on from there instead of failing falsely.
 */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class FailoverCarriesOnFromAnEarlierPromotionTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private static final DatabaseTarget TARGET = target();
  private static final ApprovalDecision YES = new ApprovalDecision("root", "--yes", false);

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private FailoverMocks mocks;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.client = client;
    mocks = new FailoverMocks(env, worker, client);
    env.start();
  }

  @Test
  void theCandidateIsRecordedOnTheStatefulSetBeforeAnythingIsFencedOrPromoted() {
    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));
    assertEquals(RecoveryReport.SUCCEEDED, result().outcome());

    InOrder order = inOrder(mocks.kubernetes, mocks.postgres);
    order.verify(mocks.kubernetes).recordPromotionIntent(any(), argThat(i -> "postgresql-1".equals(i.pod()) && i.runId() != null));
    order.verify(mocks.postgres).promoteServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")));
  }

  @Test
  void aRunThatFindsItsOwnRecordCarriesOnWithTheCandidateItChose() {
    // what the next worker sees after a kill right after pg_promote: the standby is out of
    // recovery, the old primary is fenced, the Service still selects it
    when(mocks.kubernetes.describeCluster(any())).thenAnswer(call -> halfMoved("postgresql-0",
        new PromotionIntent(Activity.getExecutionContext().getInfo().getRunId(), "postgresql-1", "0/3000100", 0, 0, "old primary unreachable", false)));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(promotedServer());
    when(mocks.postgres.promoteServer(any())).thenReturn(new PromotionResult("postgresql-1", true, "0/3000100", "0/3000200"));

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals("postgresql-1", ((PromotionOutcome) report.result()).newPrimary());
    assertEquals(1, report.approvals().size(), "the up-front approval still fits the recorded choice");
    assertTrue(notes(report, "choose-candidate").contains("this run chose postgresql-1 before its worker was lost"), notes(report, "choose-candidate"));
    assertEquals(0L, ((PromotionOutcome) report.result()).estimatedLossBytes(), "the estimate the approval showed, kept on the StatefulSet");
    verify(mocks.kubernetes).repointService(any(), eq("postgresql-1"));
    verify(mocks.kubernetes).repointConfigMap(any(), eq("postgresql-1"));
    verify(mocks.kubernetes).restartDeployments(any(), any());
    verify(mocks.postgres).verifyPrimary(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")), any(), any());
  }

  @Test
  void aStandbyPromotedBeforeTheRunLookedIsMadeThePrimaryWithItsLossShownAsNotMeasurable() {
    when(mocks.kubernetes.describeCluster(any())).thenReturn(halfMoved("postgresql-0", null));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(promotedServer());

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals("postgresql-1", ((PromotionOutcome) report.result()).newPrimary());
    assertNull(((PromotionOutcome) report.result()).estimatedLossBytes());
    assertTrue(report.rpo().basis().contains("already out of recovery"), report.rpo().basis());
    verify(mocks.kubernetes).repointService(any(), eq("postgresql-1"));
  }

  @Test
  void aRecordOfAnotherRunNamingTheServerIsNamedButItsOldEstimateIsNotReused() {
    when(mocks.kubernetes.describeCluster(any())).thenReturn(halfMoved("postgresql-0",
        new PromotionIntent("an-earlier-run", "postgresql-1", "0/3000100", 512, 1.5, "old primary answered at 0/3000300", false)));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(promotedServer());

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertNull(((PromotionOutcome) report.result()).estimatedLossBytes(), "an estimate recorded by another run, maybe long ago, is not this run's");
    assertTrue(report.rpo().basis().contains("promoted by run an-earlier-run"), report.rpo().basis());
  }

  @Test
  void aHealthyClusterIsNotFailedOverEvenWithAnOldRecordOnIt() {
    // the Service already selects the only primary: nothing to do, whatever an old run recorded
    when(mocks.kubernetes.describeCluster(any())).thenReturn(halfMoved("postgresql-1",
        new PromotionIntent("an-earlier-run", "postgresql-1", "0/3000100", 0, 0, "-", false)));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(promotedServer());

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("nothing to fail over: postgresql-1 answers as the primary the Service selects"), report.message());
    mocks.verifyNothingChanged();
  }

  @Test
  void twoPrimariesAreLeftToAHuman() {
    when(mocks.kubernetes.describeCluster(any())).thenReturn(new ClusterState(2, 2, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of(), Map.of("statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of()));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, false, "0/4000000", null, null, null, false, "15.8", List.of(), false));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(promotedServer());

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("more than one server is out of recovery"), report.message());
    mocks.verifyNothingChanged();
  }

  @Test
  void aServiceThatSelectsByOtherLabelsLeavesAPromotedServerToAHuman() {
    ClusterState byRole = new ClusterState(2, 1, halfMoved("postgresql-0", null).pods(), List.of(),
        Map.of("app", "postgresql", "role", "primary"), List.of());
    when(mocks.kubernetes.describeCluster(any())).thenReturn(byRole);
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(promotedServer());

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));

    assertTrue(failedReport().message().startsWith("no reachable replica to promote"));
    mocks.verifyNothingChanged();
  }

  @Test
  void aRunWhoseRecordedCandidateIsGoneNeverPromotesAnother() {
    // this run promoted postgresql-1 and was lost; postgresql-1's pod has vanished since, a standby answers
    when(mocks.kubernetes.describeCluster(any())).thenAnswer(call -> new ClusterState(2, 1, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, false)), List.of(),
        Map.of("statefulset.kubernetes.io/pod-name", "postgresql-1"), List.of(),
        new PromotionIntent(Activity.getExecutionContext().getInfo().getRunId(), "postgresql-1", "0/3000100", 0, 0, "-", false)));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, true, null, "0/3000000", "0/3000000", null, false, "15.8", List.of(), false));

    mocks.start(TARGET, new ReplicaPromotionRequest(TARGET, null, "sre", YES));

    assertTrue(failedReport().message().contains("postgresql-1 is gone now"), "settle by hand");
    mocks.verifyNothingChanged();
  }

  /** postgresql-0 dead and fenced, postgresql-1 up; the Service selects {@code servicePod}. */
  private static ClusterState halfMoved(String servicePod, PromotionIntent intent) {
    return new ClusterState(2, 1, List.of(
        new PodState("postgresql-0", "Running", false, 3, "10.0.0.10", 5432, true),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of("data-postgresql-0", "data-postgresql-1"),
        Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", servicePod), List.of(), intent);
  }

  private static ServerState promotedServer() {
    return new ServerState("postgresql-1", "10.0.0.11:5432", true, null, false, "0/3000200", null, null, null, false, "15.8", List.of(), false);
  }

  private static String notes(RecoveryReport report, String step) {
    return report.steps().stream().filter(s -> s.name().equals(step)).map(s -> String.valueOf(s.detail())).findFirst().orElse("");
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub(TARGET.recoveryWorkflowId()).getResult(RecoveryReport.class);
  }

  private RecoveryReport failedReport() {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals(FailureTypes.RECOVERY_FAILED, failure.getType());
    return failure.getDetails().get(RecoveryReport.class);
  }
}
