package io.pgdr.rejoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.RejoinActivities;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.StandbyStreaming;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.target.ApprovalPolicy;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rejoin's plan, approval, order of steps and stops, with the adapters mocked. */
class RejoinWorkflowTest {

  static final String RUN = "rejoin-fabrica-agentes.postgresql";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(RejoinWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final RejoinActivities rejoin = mock(RejoinActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private WorkflowClient client;
  private String taskQueue;
  private Instant now;
  private final DataVolume volume = new DataVolume("data-postgresql-0", "pv-0", "/var/lib/pv-0", "fabrica-agentes", "postgresql");
  private final Divergence divergence = new Divergence(Divergence.REWIND, "0/3000060", 1, "0/3000400", 928, 3,
      Instant.parse("2026-12-07T19:20:01Z"), Instant.parse("2026-12-07T19:20:03Z"), null);

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    // after a promotion: postgresql-1 leads, the old primary postgresql-0 is fenced and read-only
    when(kubernetes.describeCluster(any())).thenReturn(cluster(2, true));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, false, "0/3000400", null, null, null, true, "15.8", List.of(), false));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-1")))).thenReturn(
        new ServerState("postgresql-1", "10.0.0.11:5432", true, null, false, "0/3000900", null, null, null, false, "15.8", List.of(), false));
    when(kubernetes.holdPod(any(), eq("postgresql-0"), anyString())).thenReturn(volume);
    when(rejoin.inspectDivergence(any(), any(), any())).thenReturn(divergence);
    when(rejoin.rejoinAsStandby(any(), any(), any(), anyString(), any(), anyString())).thenReturn(
        new RejoinResult(Divergence.REWIND, null, "the new primary's settings", null));
    when(rejoin.awaitStreaming(any(), eq("postgresql-0"))).thenReturn(new StandbyStreaming("postgresql-0", "streaming", "0/3000A00", "0/3000A00", 0));
    worker.registerActivitiesImplementations(kubernetes, postgres, rejoin, notifications);
    env.start();
  }

  @Test
  void aFencedOldPrimaryIsHeldRewoundStartedSeenStreamingThenUnfencedAndItsDivergedWritesAreReported() throws Exception {
    RejoinWorkflow run = start(null, null, null);
    RunStatus waiting = io.pgdr.run.RunResults.awaitApproval(run);
    assertTrue(waiting.pendingApproval().summary().contains("bring postgresql-0 back as a streaming standby of postgresql-1"),
        waiting.pendingApproval().summary());
    List<String> planned = List.of("hold", "find-divergence", "rejoin", "start", "check-streaming", "unfence");
    assertEquals(planned, names(waiting.pendingApproval().plan()));
    verify(kubernetes, never()).holdPod(any(), anyString(), anyString());

    run.approve(new ApprovalDecision("alice", "bring it back", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    InOrder order = inOrder(kubernetes, rejoin);
    order.verify(kubernetes).holdPod(any(), eq("postgresql-0"), anyString());
    order.verify(rejoin).inspectDivergence(eq(volume), argThat(s -> s.pod().equals("postgresql-0")), argThat(s -> s.pod().equals("postgresql-1")));
    order.verify(rejoin).rejoinAsStandby(eq(volume), any(), argThat(s -> s.pod().equals("postgresql-1")),
        eq("postgresql.fabrica-agentes.svc:5432"), eq(divergence), anyString());
    order.verify(kubernetes).releasePod(any(), eq("postgresql-0"));
    order.verify(rejoin).awaitStreaming(argThat(s -> s.pod().equals("postgresql-1")), eq("postgresql-0"));
    order.verify(kubernetes).unfencePod(any(), eq("postgresql-0"));
    assertEquals(planned, report.steps().stream().map(s -> s.name()).filter(planned::contains).toList(), "the steps that ran are the plan");
    assertTrue(report.message().contains("3 transactions committed 2026-12-07T19:20:01Z to 2026-12-07T19:20:03Z (928 bytes of WAL after"
        + " the fork at 0/3000060 on timeline 1) discarded"), report.message());
    RejoinOutcome outcome = (RejoinOutcome) report.result();
    assertEquals("postgresql-1", outcome.primary());
    assertEquals("streaming", outcome.servers().get(0).streaming().state());
    assertTrue(outcome.facts().stream().anyMatch(f -> f.value().contains("rewound (pg_rewind)")), outcome.facts().toString());
  }

  @Test
  void whenEveryServerStreamsNothingIsAskedAndNothingChanged() {
    when(kubernetes.describeCluster(any())).thenReturn(cluster(2, false));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, true, null, "0/3000900", "0/3000900", now, false, "15.8", List.of(),
            false, true));

    start(null, null, null);
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertTrue(report.message().contains("every server follows postgresql-1: nothing to rejoin"), report.message());
    verify(kubernetes, never()).holdPod(any(), anyString(), anyString());
  }

  @Test
  void aStandbyThatCannotBeRewoundOrCopiedStaysHeldAndTheReportSaysHowToLetItStart() {
    when(rejoin.rejoinAsStandby(any(), any(), any(), anyString(), any(), anyString())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "neither pg_rewind nor pg_basebackup worked: the data directory is as found", FailureTypes.REJOIN_FAILED));

    start(new ApprovalDecision("alice", "--yes", false), null, null);
    RecoveryReport report = failedReport();

    assertTrue(report.message().contains("step rejoin failed: neither pg_rewind nor pg_basebackup worked"), report.message());
    assertTrue(report.message().contains("postgresql-0 held stopped (StatefulSet postgresql annotation pgdr.io/held-pods) while their data"
        + " directories are made standbys of postgresql-1: run pgdr rejoin again rather than starting them as they are"), report.message());
    verify(kubernetes, never()).releasePod(any(), anyString());
    verify(kubernetes, never()).unfencePod(any(), anyString());
  }

  @Test
  void aStatefulSetLeftShortByARecoveryIsScaledBackWithItsPodsHeld() throws Exception {
    when(kubernetes.describeCluster(any())).thenReturn(new ClusterState(1, 1, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, false)),
        List.of(), Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of()));
    when(postgres.inspectServer(argThat(s -> s != null && s.pod().equals("postgresql-0")))).thenReturn(
        new ServerState("postgresql-0", "10.0.0.10:5432", true, null, false, "0/5000000", null, null, null, false, "15.8", List.of(), false));
    when(kubernetes.holdPod(any(), eq("postgresql-1"), anyString())).thenReturn(
        new DataVolume("data-postgresql-1", "pv-1", "/var/lib/pv-1", "fabrica-agentes", "postgresql"));
    when(rejoin.awaitStreaming(any(), eq("postgresql-1"))).thenReturn(new StandbyStreaming("postgresql-1", "streaming", "0/5000100", "0/5000100", 0));

    RejoinWorkflow run = start(null, null, 2);
    RunStatus waiting = io.pgdr.run.RunResults.awaitApproval(run);
    assertEquals(List.of("hold", "find-divergence", "rejoin", "start", "check-streaming"), names(waiting.pendingApproval().plan()));
    assertTrue(waiting.pendingApproval().plan().get(0).contains("then StatefulSet postgresql scaled from 1 to 2 (the pods come back held)"),
        waiting.pendingApproval().plan().get(0));
    run.approve(new ApprovalDecision("alice", "after the PITR", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    InOrder order = inOrder(kubernetes, rejoin);
    order.verify(kubernetes).holdPod(any(), eq("postgresql-1"), anyString());
    order.verify(kubernetes).startDatabase(any(), eq(2));
    order.verify(rejoin).inspectDivergence(any(), argThat(s -> s.pod().equals("postgresql-1") && s.host() == null), any());
    order.verify(kubernetes).releasePod(any(), eq("postgresql-1"));
  }

  @Test
  void aPlanChangesNothingAndABadReplicaCountIsBadInput() {
    start(null, true, null);
    assertEquals(RecoveryReport.PLANNED, result().outcome());

    start(new ApprovalDecision("alice", "--yes", false), null, 0);
    RecoveryReport refused = failedReport();
    assertTrue(refused.badInput(), refused.message());
    assertTrue(refused.message().contains("replicas: 0 is not a replica count"), refused.message());
    verify(kubernetes, never()).holdPod(any(), anyString(), anyString());
  }

  private static ClusterState cluster(int replicas, boolean oldPrimaryFenced) {
    return new ClusterState(replicas, replicas, List.of(
        new PodState("postgresql-0", "Running", true, 0, "10.0.0.10", 5432, oldPrimaryFenced),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of(), Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", "postgresql-1"), List.of());
  }

  private static List<String> names(List<String> plan) {
    return plan.stream().filter(l -> !l.startsWith("note: ")).map(l -> l.substring(0, l.indexOf(" ["))).toList();
  }

  static DatabaseTarget target() {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of("fabrica-api"), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of("stories")), null, null, null, null, null);
  }

  private RejoinWorkflow start(ApprovalDecision preApproval, Boolean planOnly, Integer replicas) {
    RejoinRequest request = new RejoinRequest(target(), now, "sre@example", preApproval, planOnly, replicas);
    RejoinWorkflow run = client.newWorkflowStub(RejoinWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forRejoin(request.target())).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::rejoin, request);
    return run;
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub(RUN).getResult(RecoveryReport.class);
  }

  private RecoveryReport failedReport() {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, this::result);
    return assertInstanceOf(ApplicationFailure.class, failed.getCause()).getDetails().get(RecoveryReport.class);
  }
}
