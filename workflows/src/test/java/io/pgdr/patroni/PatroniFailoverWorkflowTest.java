package io.pgdr.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PatroniActivities;
import io.pgdr.ports.PatroniAnswer;
import io.pgdr.ports.PatroniMember;
import io.pgdr.ports.PatroniView;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunResults;
import io.pgdr.run.RunStatus;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.ConfigMapRef;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.pgdr.target.PatroniAccess;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Patroni failover's plan, approval paths and Patroni's awkward answers, with the adapters mocked. */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class PatroniFailoverWorkflowTest {

  static final List<String> FAILOVER_PLAN = List.of("recheck", "failover", "follow", "repoint", "restart-apps", "verify", "rejoin");
  static final List<String> SWITCHOVER_PLAN = List.of("recheck", "switchover", "follow", "repoint", "restart-apps", "verify", "rejoin");
  static final String POD_NAME = "statefulset.kubernetes.io/pod-name";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(PatroniFailoverWorkflowImpl.class).build();

  private final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  private final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final PatroniActivities patroni = mock(PatroniActivities.class, withSettings().withoutAnnotations());
  private final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private WorkflowClient client;
  private String taskQueue;
  private Instant now;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    when(kubernetes.describeCluster(any())).thenReturn(cluster(Map.of("app", "postgresql", POD_NAME, "postgresql-0")));
    when(kubernetes.restartDeployments(any(), anyString())).thenReturn(List.of("fabrica-api"));
    leaderDown();
    when(postgres.inspectServer(argPod("postgresql-1"))).thenReturn(replica("postgresql-1"));
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
        new VerificationResult("postgresql-1", true, true, Map.of("stories", 42L), List.of(), List.of()));
    // before the request postgresql-0 holds the key (its key outlives its server); after it postgresql-1 leads
    when(patroni.describePatroni(any(), anyList())).thenReturn(view(false, leader("postgresql-0", 1), replica("postgresql-1", 1, 0L)));
    when(patroni.requestFailover(any(), anyList(), eq("postgresql-1"), any()))
        .thenReturn(new PatroniAnswer(PatroniAnswer.ACCEPTED, 200, "Successfully failed over to \"postgresql-1\""));
    when(patroni.awaitMember(any(), anyList(), eq("postgresql-1"), eq(PatroniActivities.LEADER), any()))
        .thenReturn(view(false, leader("postgresql-1", 2)));
    when(patroni.awaitMember(any(), anyList(), eq("postgresql-0"), eq(PatroniActivities.REPLICA), any()))
        .thenReturn(view(false, leader("postgresql-1", 2)));
    worker.registerActivitiesImplementations(kubernetes, postgres, patroni, notifications);
    env.start();
  }

  @Test
  void aFailoverOfADeadLeaderAsksPatroniOnceAndThePlanIsWhatRuns() throws Exception {
    PatroniFailoverWorkflow run = start(null, false, null, null);
    RunStatus waiting = RunResults.awaitApproval(run);
    assertEquals(FAILOVER_PLAN, planned(waiting));
    assertEquals("postgresql-1", waiting.pendingApproval().subject());
    assertTrue(waiting.pendingApproval().summary().startsWith("fail over fabrica-db to postgresql-1 through Patroni"),
        waiting.pendingApproval().summary());
    assertTrue(waiting.pendingApproval().plan().stream().anyMatch(l -> l.contains("POST /failover {candidate: postgresql-1}")),
        waiting.pendingApproval().plan().toString());

    run.approve(new ApprovalDecision("alice", "postgresql-0 is gone", false));
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    List<String> ran = report.steps().stream().map(s -> s.name()).toList();
    assertEquals(FAILOVER_PLAN, ran.subList(ran.indexOf("approval") + 1, ran.size()));
    verify(patroni, times(1)).requestFailover(any(), eq(List.of("postgresql-0", "postgresql-1")), eq("postgresql-1"), isNull());
    verify(kubernetes).repointService(any(), eq("postgresql-1"));
    verify(kubernetes).repointConfigMap(any(), eq("postgresql-1"));
    PatroniFailoverOutcome outcome = (PatroniFailoverOutcome) report.result();
    assertEquals("postgresql-1", outcome.newLeader());
    assertEquals("postgresql-0", outcome.oldLeader());
    assertTrue(outcome.patroniAnswer().startsWith("HTTP 200"), outcome.patroniAnswer());
    assertTrue(outcome.oldLeaderAfter().startsWith("not rejoined: it is not in Patroni's cluster"), outcome.oldLeaderAfter());
    assertTrue(report.message().contains("postgresql-0 not rejoined"), report.message());
    assertTrue(report.rto().measuredSeconds() != null, "the RTO ends at the verification");
  }

  @Test
  void aSwitchoverHandsOverFromAHealthyLeaderWithoutLossAndTheOldLeaderRejoins() throws Exception {
    // the Service follows Patroni's role label: pgdr repoints the ConfigMap only
    when(kubernetes.describeCluster(any())).thenReturn(cluster(Map.of("app", "postgresql", "role", "master")));
    when(postgres.inspectServer(argPod("postgresql-0"))).thenReturn(primary("postgresql-0"));
    when(patroni.requestFailover(any(), anyList(), eq("postgresql-1"), eq("postgresql-0")))
        .thenReturn(new PatroniAnswer(PatroniAnswer.ACCEPTED, 200, "Successfully switched over to \"postgresql-1\""));
    when(patroni.awaitMember(any(), anyList(), eq("postgresql-0"), eq(PatroniActivities.REPLICA), any()))
        .thenReturn(view(false, leader("postgresql-1", 2), replica("postgresql-0", 2, 0L)));

    start(null, true, approved(), null);
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    List<String> ran = report.steps().stream().map(s -> s.name()).toList();
    assertEquals(SWITCHOVER_PLAN, ran.subList(ran.indexOf("approval") + 1, ran.size()));
    verify(patroni).requestFailover(any(), anyList(), eq("postgresql-1"), eq("postgresql-0"));
    verify(kubernetes, never()).repointService(any(), anyString());
    verify(kubernetes).repointConfigMap(any(), eq("postgresql-1"));
    assertEquals(0.0, report.rpo().lostSeconds(), 0.001);
    PatroniFailoverOutcome outcome = (PatroniFailoverOutcome) report.result();
    assertEquals("switchover", outcome.mode());
    assertEquals("rejoined as a replica of postgresql-1", outcome.oldLeaderAfter());
  }

  @Test
  void patronisStatusUnknownIsFollowedUntilTheClusterSettles() {
    when(patroni.requestFailover(any(), anyList(), eq("postgresql-1"), any()))
        .thenReturn(new PatroniAnswer(PatroniAnswer.UNKNOWN, 503, "Failover status unknown; no member leads"));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals("HTTP 503: Failover status unknown; no member leads", ((PatroniFailoverOutcome) report.result()).patroniAnswer());
    verify(patroni, times(1)).requestFailover(any(), anyList(), anyString(), any());
    verify(patroni).awaitMember(any(), anyList(), eq("postgresql-1"), eq(PatroniActivities.LEADER), any());
  }

  @Test
  void aCandidateThatNeverLeadsStopsTheRunAndNothingIsRepointed() {
    when(patroni.requestFailover(any(), anyList(), eq("postgresql-1"), any()))
        .thenReturn(new PatroniAnswer(PatroniAnswer.UNKNOWN, 503, "Failover status unknown"));
    when(patroni.awaitMember(any(), anyList(), eq("postgresql-1"), eq(PatroniActivities.LEADER), any()))
        .thenReturn(view(false, replica("postgresql-1", 1, 0L)));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("postgresql-1 did not become the leader within 3 min: no member leads"), report.message());
    assertTrue(report.message().contains("Check who leads (patronictl list"), "the request's hand-back: " + report.message());
    verify(kubernetes, never()).repointService(any(), anyString());
    verify(kubernetes, never()).restartDeployments(any(), anyString());
  }

  @Test
  void patronisRefusalFailsClearlyAndNothingElseIsChanged() {
    when(patroni.requestFailover(any(), anyList(), eq("postgresql-1"), any())).thenThrow(ApplicationFailure.newNonRetryableFailure(
        "Patroni refused /failover to postgresql-1 (HTTP 412): no good candidates have been found",
        FailureTypes.PATRONI_REFUSED));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().endsWith("step failover failed: Patroni refused /failover to postgresql-1 (HTTP 412): no good candidates"
        + " have been found. Nothing was changed."), report.message());
    assertEquals(List.of(), report.changes(), "a refused request changed nothing");
    verify(patroni, times(1)).requestFailover(any(), anyList(), anyString(), any());
    verify(patroni, never()).awaitMember(any(), anyList(), anyString(), anyString(), any());
    verify(kubernetes, never()).repointService(any(), anyString());
    verify(kubernetes, never()).repointConfigMap(any(), anyString());
    verify(kubernetes, never()).restartDeployments(any(), anyString());
  }

  @Test
  void aPausedClusterIsRefusedWithTheFix() {
    when(patroni.describePatroni(any(), anyList())).thenReturn(view(true, leader("postgresql-0", 1), replica("postgresql-1", 1, 0L)));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("Patroni is paused (maintenance mode)"), report.message());
    assertTrue(report.message().contains("patronictl resume"), report.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
  }

  @Test
  void aLeaderThatChangedOnItsOwnDuringTheApprovalIsReportedNotFailedOverTwice() throws Exception {
    PatroniFailoverWorkflow run = start(null, false, null, null);
    RunResults.awaitApproval(run);
    // while the approver reads, Patroni fails over by itself to a third member
    when(patroni.describePatroni(any(), anyList())).thenReturn(view(false, leader("postgresql-2", 2), replica("postgresql-1", 1, 0L)));
    run.approve(new ApprovalDecision("alice", "go", false));
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("the leader changed on its own while the run waited: postgresql-2 leads now"), report.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
    verify(kubernetes, never()).repointService(any(), anyString());
  }

  @Test
  void aCandidatePatroniMadeLeaderByItselfIsNotAskedForAgain() throws Exception {
    PatroniFailoverWorkflow run = start(null, false, null, null);
    RunResults.awaitApproval(run);
    when(patroni.describePatroni(any(), anyList())).thenReturn(view(false, leader("postgresql-1", 2)));
    run.approve(new ApprovalDecision("alice", "go", false));
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertTrue(report.message().contains("made leader by Patroni on its own"), report.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
    verify(kubernetes).repointService(any(), eq("postgresql-1"));
  }

  @Test
  void aNamedCandidateTaggedNofailoverIsRefusedBeforeTheApproval() {
    when(patroni.describePatroni(any(), anyList())).thenReturn(view(false, leader("postgresql-0", 1),
        new PatroniMember("postgresql-1", "replica", "running", "127.0.0.1", 5432, 1, 0L, true, false, false)));

    start("postgresql-1", false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("postgresql-1 is tagged nofailover"), report.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
  }

  @Test
  void aCandidateThatIsNotAMemberIsBadInput() {
    start("postgresql-7", false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.badInput(), report.message());
    assertTrue(report.message().contains("postgresql-7 is not a member of the Patroni cluster (members: postgresql-0, postgresql-1)"),
        report.message());
  }

  @Test
  void aLaggingReplicaIsNotChosenAndTheRunSaysWhy() {
    when(patroni.describePatroni(any(), anyList())).thenReturn(new PatroniView("postgresql-1", false, List.of(leader("postgresql-0", 1),
        replica("postgresql-1", 1, 5_000_000L)), 1_048_576L, false, null, null));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("no member qualifies as Patroni's candidate: postgresql-1 is 5000000 bytes behind, over"
        + " Patroni's maximum_lag_on_failover of 1048576"), report.message());
  }

  @Test
  void aHealthyLeaderIsNotFailedOverWithoutSwitchover() {
    when(postgres.inspectServer(argPod("postgresql-0"))).thenReturn(primary("postgresql-0"));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("postgresql-0 leads and answers as the primary: there is nothing to fail over"), report.message());
  }

  @Test
  void aRejectionOrAPlanAsksPatroniNothing() throws Exception {
    PatroniFailoverWorkflow run = start(null, false, null, null);
    RunResults.awaitApproval(run);
    run.reject(new ApprovalDecision("bob", "not now", false));
    RecoveryReport rejected = RunResults.result(client);
    assertEquals(RecoveryReport.ABORTED, rejected.outcome(), rejected.message());

    start(null, false, null, true);
    RecoveryReport planned = RunResults.result(client);
    assertEquals(RecoveryReport.PLANNED, planned.outcome(), planned.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
    verify(kubernetes, never()).repointConfigMap(any(), anyString());
  }

  @Test
  void aLeaderPatroniSaysServesIsNotFailedOverBecausePgdrCannotReachIt() {
    when(patroni.describePatroni(any(), anyList())).thenReturn(new PatroniView("postgresql-1", false,
        List.of(leader("postgresql-0", 1), replica("postgresql-1", 1, 0L)), 1_048_576L, true, null, null));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("Patroni on postgresql-0 says its server runs as the primary (GET /primary answers 200)"),
        report.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
  }

  @Test
  void aLeaderThatCameBackDuringTheApprovalIsNotFailedOver() throws Exception {
    PatroniFailoverWorkflow run = start(null, false, null, null);
    RunResults.awaitApproval(run);
    when(postgres.inspectServer(argPod("postgresql-0"))).thenReturn(primary("postgresql-0"));
    run.approve(new ApprovalDecision("alice", "go", false));
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("postgresql-0 serves as the primary again"), report.message());
    assertTrue(report.message().endsWith("Nothing was changed."), report.message());
    verify(patroni, never()).requestFailover(any(), anyList(), anyString(), any());
  }

  @Test
  void anotherLeaderThanTheCandidateStopsTheRunNamingIt() {
    when(patroni.requestFailover(any(), anyList(), eq("postgresql-1"), any()))
        .thenReturn(new PatroniAnswer(PatroniAnswer.OTHER, 200, "Failed over to \"postgresql-2\" instead of \"postgresql-1\"; postgresql-2 leads"));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("Patroni made postgresql-2 the leader instead of postgresql-1"), report.message());
    assertTrue(report.message().contains("postgresql-2 leads now, not postgresql-1: check it"), report.message());
    verify(patroni, never()).awaitMember(any(), anyList(), anyString(), anyString(), any());
    verify(kubernetes, never()).repointConfigMap(any(), anyString());
  }

  @Test
  void aRejoinThatCannotBeCheckedLeavesARecoveredRunSucceeded() {
    when(patroni.awaitMember(any(), anyList(), eq("postgresql-0"), eq(PatroniActivities.REPLICA), any()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("Patroni's REST credentials: secret gone", FailureTypes.CREDENTIALS_UNAVAILABLE));

    start(null, false, approved(), null);
    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertTrue(((PatroniFailoverOutcome) report.result()).oldLeaderAfter().startsWith("not checked: "), report.result().toString());
  }

  @Test
  void aTargetWithoutPatroniIsBadInput() {
    DatabaseTarget plain = new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of("fabrica-api"),
        null, target().postgres(), target().objectives(), target().approval(), target().verification(), null, null, null, null, null);
    PatroniFailoverRequest request = new PatroniFailoverRequest(plain, now, "sre", approved(), null, null, null);
    PatroniFailoverWorkflow run = client.newWorkflowStub(PatroniFailoverWorkflow.class, options(plain));
    WorkflowClient.start(run::failover, request);
    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.badInput(), report.message());
    assertTrue(report.message().contains("pgdr failover promote-replica"), report.message());
    verify(kubernetes, never()).describeCluster(any());
  }

  static DatabaseTarget target() {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of("fabrica-api"),
        new ConfigMapRef("fabrica-config", "DATABASE_HOST", "{pod}.postgresql"),
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of("stories")), null, null, new PatroniAccess("http://{pod}.postgresql:8008", null, null), null, null);
  }

  private PatroniFailoverWorkflow start(String candidate, boolean switchover, ApprovalDecision preApproval, Boolean planOnly) {
    PatroniFailoverRequest request = new PatroniFailoverRequest(target(), now, "sre@example", preApproval, planOnly, candidate,
        switchover ? Boolean.TRUE : null);
    PatroniFailoverWorkflow run = client.newWorkflowStub(PatroniFailoverWorkflow.class, options(request.target()));
    WorkflowClient.start(run::failover, request);
    return run;
  }

  private WorkflowOptions options(DatabaseTarget target) {
    return WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, PatroniFailoverWorkflow.SCENARIO)).setTaskQueue(taskQueue).build();
  }

  private static ApprovalDecision approved() {
    return new ApprovalDecision("alice", "pre-approved", false);
  }

  private void leaderDown() {
    when(postgres.inspectServer(argPod("postgresql-0"))).thenReturn(ServerState.unreachable("postgresql-0", "10.0.0.10:5432", "Connection refused"));
  }

  private static PostgresServer argPod(String pod) {
    return org.mockito.ArgumentMatchers.argThat(s -> s != null && pod.equals(s.pod()));
  }

  private static ClusterState cluster(Map<String, String> serviceSelector) {
    return new ClusterState(2, 1, List.of(
        new PodState("postgresql-0", "Running", false, 0, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of("data-postgresql-0", "data-postgresql-1"), serviceSelector, List.of());
  }

  private static ServerState replica(String pod) {
    return new ServerState(pod, "10.0.0.11:5432", true, null, true, null, "0/3000100", "0/3000100", Instant.now(), false, "15.8",
        List.of(), true);
  }

  private static ServerState primary(String pod) {
    return new ServerState(pod, "10.0.0.10:5432", true, null, false, "0/3000100", null, null, null, false, "15.8", List.of(), true);
  }

  static PatroniView view(boolean paused, PatroniMember... members) {
    return new PatroniView("postgresql-1", paused, List.of(members), 1_048_576L, false, null, null);
  }

  static PatroniMember leader(String name, int timeline) {
    return new PatroniMember(name, "leader", "running", "127.0.0.1", 5432, timeline, null, false, false, false);
  }

  static PatroniMember replica(String name, int timeline, Long lag) {
    return new PatroniMember(name, "replica", "running", "127.0.0.1", 5432, timeline, lag, false, false, false);
  }

  private List<String> planned(RunStatus status) {
    return status.pendingApproval().plan().stream().filter(l -> !l.startsWith("note: ")).map(l -> l.substring(0, l.indexOf(" ["))).toList();
  }

}
