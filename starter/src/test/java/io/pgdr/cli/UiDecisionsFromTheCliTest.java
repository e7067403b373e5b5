package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.Escalation;
import io.pgdr.ports.FenceResult;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Notify;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgdr approve|reject} send the same update the UI's update dialog does when a worker
 * answers, so a refusal is an error at once; with no worker they still send a signal the run
 * checks later. The cluster is a stand-in that answers as runbook 000's failover needs.
 */
@org.junit.jupiter.api.Tag("real-servers")
class UiDecisionsFromTheCliTest {

  @TempDir Path dir;
  static TemporalWithWorker temporal;
  static WorkflowClient client;

  @BeforeAll
  static void startTemporalAndAWorker() {
    temporal = TemporalWithWorker.start(TaskQueues.PGDR, worker -> {
      worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class);
      worker.registerActivitiesImplementations(new StandInCluster());
    });
    client = temporal.client;
  }

  @AfterAll
  static void stop() throws InterruptedException {
    temporal.close();
  }

  /** A failover of fabrica-db waiting for its approval; each test leaves its own run ended. */
  private String startFailover() throws Exception {
    Path target = dir.resolve("target.yaml");
    Files.writeString(target, CliBadInputTest.VALID + "approval: {approvers: [alice]}\n");
    CliRun started = CliRun.of("failover", "promote-replica", "--target", target.toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.OK, started.exitCode(), started.toString());
    String run = started.out().strip();
    for (int i = 0; i < 300; i++) {
      RunStatus status = client.newUntypedWorkflowStub(run).query("status", RunStatus.class);
      if (status.pendingApproval() != null) {
        return run;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(run + " never asked for approval");
  }

  @Test
  void anApproverOutsideTheListIsRefusedAtOnceAndAnAllowedOneIsRecorded() throws Exception {
    String run = startFailover();

    CliRun refused = CliRun.of("approve", run, "--by", "mallory", "--reason", "trust me", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("refused the decision: mallory is not among the approvers [alice]"), refused.err());
    assertTrue(refused.err().contains("hint: decide as one of [alice] with --by NAME"), refused.err());
    RunStatus waiting = client.newUntypedWorkflowStub(run).query("status", RunStatus.class);
    assertNotNull(waiting.pendingApproval(), "still waiting for a decision");
    assertTrue(waiting.warnings().isEmpty(), "refused to the sender, not left as a warning: " + waiting.warnings());

    CliRun approved = CliRun.of("approve", run, "--by", "alice", "--reason", "primary lost", "--output", "json",
        "--temporal-address", temporal.address());
    assertEquals(ExitCodes.OK, approved.exitCode(), approved.toString());
    JsonNode sent = Json.MAPPER.readTree(approved.out());
    assertEquals("promote", sent.path("step").asText());
    assertTrue(sent.path("recorded").asBoolean(), approved.out());

    RecoveryReport report = client.newUntypedWorkflowStub(run).getResult(30, TimeUnit.SECONDS, RecoveryReport.class);
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    assertEquals("alice", report.approvals().get(0).by());
  }

  @Test
  void theSenderIsRecordedBesideTheClaimedApproverAndShownInTheReport() throws Exception {
    String run = startFailover();

    CliRun approved = CliRun.of("approve", run, "--by", "alice", "--reason", "primary lost", "--output", "json",
        "--temporal-address", temporal.address());

    assertEquals(ExitCodes.OK, approved.exitCode(), approved.toString());
    // who sent it: the OS user at this host, as this CLI's Temporal client says it is
    String sender = System.getProperty("user.name") + "@";
    String sentBy = Json.MAPPER.readTree(approved.out()).path("sentBy").asText();
    assertTrue(sentBy.startsWith(sender) && sentBy.endsWith("(pgdr CLI)"), sentBy);
    assertTrue(approved.err().contains("promote approved by alice, sent by " + sentBy), approved.err());
    RecoveryReport report = client.newUntypedWorkflowStub(run).getResult(30, TimeUnit.SECONDS, RecoveryReport.class);
    assertEquals("alice", report.approvals().get(0).by());
    assertEquals(sentBy, report.approvals().get(0).sentBy());
    CliRun status = CliRun.of("status", run, "--follow", "--temporal-address", temporal.address());
    assertTrue(status.out().contains("promote approved by alice, sent by " + sentBy), status.out());
    // the same identity Temporal recorded on the update in the run's history
    String historyIdentity = client.fetchHistory(run).getEvents().stream()
        .filter(e -> e.hasWorkflowExecutionUpdateAcceptedEventAttributes())
        .map(e -> e.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest().getMeta().getIdentity())
        .findFirst().orElseThrow();
    assertEquals(historyIdentity + " (pgdr CLI)", sentBy);
  }

  @Test
  void anEmptyByIsRefusedAndNothingIsSent() throws Exception {
    String run = startFailover();

    CliRun refused = CliRun.of("reject", run, "--by", "", "--temporal-address", temporal.address());

    assertEquals(ExitCodes.BAD_INPUT, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("--by is empty"), refused.err());
    RunStatus waiting = client.newUntypedWorkflowStub(run).query("status", RunStatus.class);
    assertNotNull(waiting.pendingApproval(), "nothing was decided");
    assertTrue(waiting.approvals().isEmpty() && waiting.warnings().isEmpty(), waiting.toString());
    assertEquals(ExitCodes.OK, CliRun.of("reject", run, "--by", "alice", "--temporal-address", temporal.address()).exitCode());
  }

  @Test
  void aRejectionWhenNothingIsPendingIsRefusedWithExitCodeTwo() throws Exception {
    DatabaseTarget target = ListCommandTest.target(StandInCluster.STUCK, "fabrica-agentes");
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO));
    // approved up front (--yes): a late reject finds the run already changing the cluster
    WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target, null, "test", new ApprovalDecision("alice", "--yes", false)));
    try {
      assertTrue(StandInCluster.RESTARTING.await(30, TimeUnit.SECONDS), "the run never got to restarting the apps");

      CliRun rejected = CliRun.of("reject", StandInCluster.STUCK, "--by", "alice", "--temporal-address", temporal.address());

      assertEquals(ExitCodes.BAD_INPUT, rejected.exitCode(), rejected.toString());
      assertTrue(rejected.err().contains("awaits no approval (phase recovering"), rejected.err());
      assertFalse(rejected.err().contains("not yet applied"), rejected.err());
      assertTrue(run.status().warnings().isEmpty(), "nothing sent, so nothing ignored: " + run.status().warnings());
    } finally {
      StandInCluster.RELEASE.countDown();
    }
  }

  @Test
  void statusOfARunWhoseWorkerIsInsideAStepSaysSoInsteadOfClaimingNoWorker() throws Exception {
    DatabaseTarget target = ListCommandTest.target(StandInCluster.SLOW_DIAGNOSIS, "fabrica-agentes");
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO));
    WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target, null, "test", null));
    try {
      assertTrue(StandInCluster.DIAGNOSING.await(30, TimeUnit.SECONDS), "the diagnosis never started");

      CliRun status = CliRun.of("status", target.recoveryWorkflowId(), "--output", "json", "--temporal-address", temporal.address());

      assertEquals(ExitCodes.OK, status.exitCode(), status.toString());
      JsonNode busy = Json.MAPPER.readTree(status.out());
      assertTrue(busy.path("workerInsideStep").asText().startsWith(System.getProperty("user.name") + "@"), status.out());
      assertFalse(status.err().contains("no worker answers"), status.err());
    } finally {
      StandInCluster.DIAGNOSED.countDown();
    }
    assertNotNull(run.status().pendingApproval(), "the run went on once the step ended, and answers again");
  }

  @Test
  void aRejectionIsRecordedAndTheRunAbortsWithExitCodeThree() throws Exception {
    String run = startFailover();

    CliRun rejected = CliRun.of("reject", run, "--by", "alice", "--reason", "the primary is back", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.OK, rejected.exitCode(), rejected.toString());
    assertTrue(rejected.err().contains("promote rejected by alice"), rejected.err());
    assertFalse(rejected.err().contains("not yet applied"), "recorded by the run, not only sent: " + rejected.err());

    CliRun status = CliRun.of("status", run, "--follow", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.RUN_ABORTED, status.exitCode(), status.toString());
    assertTrue(status.out().contains("ABORTED"), status.out());
  }

  @Test
  void withNoWorkerTheDecisionIsSentAsASignalAndNotReportedAsTaken() throws Exception {
    DatabaseTarget target = ListCommandTest.target("quiet", "fabrica-agentes");
    ReplicaPromotionWorkflow unpolled = client.newWorkflowStub(ReplicaPromotionWorkflow.class, WorkflowOptions.newBuilder(
        RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO)).setTaskQueue("no-worker-polls-this").build());
    WorkflowClient.start(unpolled::promote, new ReplicaPromotionRequest(target, null, "test", null));

    CliRun rejected = CliRun.of("reject", "quiet", "--by", "alice", "--output", "json", "--temporal-address", temporal.address());

    assertEquals(ExitCodes.UNAVAILABLE, rejected.exitCode(), rejected.toString());
    assertFalse(Json.MAPPER.readTree(rejected.out()).path("recorded").asBoolean(true), rejected.out());
    assertTrue(rejected.err().contains("recovery-fabrica-agentes.quiet: sent, not yet applied: rejection of the pending step by alice"), rejected.err());
    List<String> senders = client.fetchHistory("recovery-fabrica-agentes.quiet").getEvents().stream()
        .filter(e -> e.hasWorkflowExecutionSignaledEventAttributes()
            && e.getWorkflowExecutionSignaledEventAttributes().getSignalName().equals("reject"))
        .map(e -> e.getWorkflowExecutionSignaledEventAttributes().getIdentity())
        .toList();
    assertEquals(1, senders.size(), "the signal waits in the run's history for a worker");
    assertTrue(senders.get(0).startsWith(System.getProperty("user.name") + "@"), "the CLI's identity, as Temporal saw it: " + senders);
  }

  /** Runbook 000's cluster after the primary died: postgresql-0 gone, postgresql-1 a caught-up standby. */
  static final class StandInCluster implements KubernetesActivities, PostgresActivities, NotificationActivities {

    /**
     * A database whose app restart (an ordinary activity: the worker still answers queries) waits
     * for {@link #RELEASE}: a run past its approval, open, with none pending.
     */
    static final String STUCK = "stuck";
    /** A database whose diagnosis (a local activity: it holds the workflow task) waits for {@link #DIAGNOSED}. */
    static final String SLOW_DIAGNOSIS = "slow-diagnosis";
    static final CountDownLatch DIAGNOSING = new CountDownLatch(1);
    static final CountDownLatch DIAGNOSED = new CountDownLatch(1);
    static final CountDownLatch RESTARTING = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @Override
    public ClusterState describeCluster(DatabaseTarget target) {
      if (SLOW_DIAGNOSIS.equals(target.name())) {
        DIAGNOSING.countDown();
        try {
          DIAGNOSED.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new ClusterState(2, 1, List.of(
          new PodState("postgresql-0", "Running", false, 3, "10.0.0.10", 5432, false),
          new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
          List.of(), Map.of("statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of());
    }

    @Override
    public ServerState inspectServer(PostgresServer server) {
      return server.pod().equals("postgresql-0")
          ? ServerState.unreachable("postgresql-0", "10.0.0.10:5432", "Connection refused")
          : new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/3000100", "0/3000100",
              Instant.now(), false, "15.8", List.of(), false);
    }

    @Override
    public void fencePod(DatabaseTarget target, String pod, String runId) {}

    @Override
    public FenceResult fenceServer(PostgresServer server) {
      return new FenceResult(server.pod(), false, 0, "Connection refused");
    }

    @Override
    public PromotionResult promoteServer(PostgresServer server) {
      return new PromotionResult(server.pod(), false, "0/3000100", "0/3000200");
    }

    @Override
    public void recordPromotionIntent(DatabaseTarget target, io.pgdr.ports.PromotionIntent intent) {}

    @Override
    public void repointService(DatabaseTarget target, String pod) {}

    @Override
    public void repointConfigMap(DatabaseTarget target, String pod) {}

    @Override
    public Map<String, List<String>> podLogs(DatabaseTarget target, List<String> pods, int lines) {
      throw new UnsupportedOperationException("a failover reads no logs");
    }

    @Override
    public String configMapValue(DatabaseTarget target, String configMap, String key) {
      throw new UnsupportedOperationException("a failover reads no pool size");
    }

    @Override
    public String setConfigMapValue(DatabaseTarget target, String configMap, String key, String value, String runId) {
      throw new UnsupportedOperationException("a failover sets no pool size");
    }

    @Override
    public String podUsage(DatabaseTarget target, String pod) {
      throw new UnsupportedOperationException("a failover reads no metrics");
    }

    @Override
    public boolean restartPod(DatabaseTarget target, String pod, String runId) {
      throw new UnsupportedOperationException("a failover restarts no pod");
    }

    @Override
    public List<String> restartDeployments(DatabaseTarget target, String runId) {
      if (STUCK.equals(target.name())) {
        RESTARTING.countDown();
        try {
          RELEASE.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return List.of();
    }

    @Override
    public Map<String, Integer> stopWriters(DatabaseTarget target, String runId) {
      throw new UnsupportedOperationException("not a restore");
    }

    @Override
    public void restartWriters(DatabaseTarget target, Map<String, Integer> replicas) {
      throw new UnsupportedOperationException("not a restore");
    }

    @Override
    public Map<String, Integer> awaitWritersReady(DatabaseTarget target, Map<String, Integer> replicas) {
      throw new UnsupportedOperationException("not a restore");
    }

    @Override
    public List<KeptVolume> keepVolumes(DatabaseTarget target, String pod, String runId) {
      throw new UnsupportedOperationException("not a restore");
    }

    @Override
    public void recreatePod(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId) {
      throw new UnsupportedOperationException("not a restore");
    }

    @Override
    public PodState awaitPodReady(DatabaseTarget target, String pod, List<KeptVolume> kept) {
      throw new UnsupportedOperationException("not a restore");
    }

    @Override
    public int stopDatabase(DatabaseTarget target, String runId) {
      throw new UnsupportedOperationException("not a point-in-time recovery");
    }

    @Override
    public io.pgdr.ports.DataVolume freshVolume(DatabaseTarget target, String pod, List<KeptVolume> kept, String runId) {
      throw new UnsupportedOperationException("not a point-in-time recovery");
    }

    @Override
    public void startDatabase(DatabaseTarget target, int replicas) {
      throw new UnsupportedOperationException("not a point-in-time recovery");
    }

    @Override
    public io.pgdr.ports.DataVolume holdPod(DatabaseTarget target, String pod, String runId) {
      throw new UnsupportedOperationException("not a rejoin");
    }

    @Override
    public void releasePod(DatabaseTarget target, String pod) {
      throw new UnsupportedOperationException("not a rejoin");
    }

    @Override
    public io.pgdr.ports.PostgresServer createScratchInstance(DatabaseTarget target, String name, String runId) {
      throw new UnsupportedOperationException("not a drill");
    }

    @Override
    public boolean deleteScratchInstance(DatabaseTarget target, String name, String runId) {
      throw new UnsupportedOperationException("not a drill");
    }

    @Override
    public List<String> copyRoleNames(io.pgdr.ports.PostgresServer from, io.pgdr.ports.PostgresServer to) {
      throw new UnsupportedOperationException("not a drill");
    }

    @Override
    public void unfencePod(DatabaseTarget target, String pod) {
      throw new UnsupportedOperationException("not a rejoin");
    }

    @Override
    public String writeMarkers(PostgresServer server, String scratchDatabase, String runId, int from, int to) {
      throw new UnsupportedOperationException("not a switchover drill");
    }

    @Override
    public long countMarkers(PostgresServer server, String scratchDatabase, String runId) {
      throw new UnsupportedOperationException("not a switchover drill");
    }

    @Override
    public String awaitReplayed(PostgresServer standby, String lsn) {
      throw new UnsupportedOperationException("not a switchover drill");
    }

    @Override
    public VerificationResult verifyPrimary(PostgresServer server, List<String> integrityTables, String runId) {
      return new VerificationResult(server.pod(), true, true, Map.of(), List.of(), List.of());
    }

    @Override
    public io.pgdr.ports.ConnectionsReport describeConnections(PostgresServer server, java.time.Duration longerThan) {
      throw new UnsupportedOperationException("a failover reads no connections");
    }

    @Override
    public io.pgdr.ports.TerminatedSessions terminateIdleSessions(PostgresServer server, List<io.pgdr.ports.ClientSession> approved,
        java.time.Duration olderThan) {
      throw new UnsupportedOperationException("a failover ends no sessions");
    }

    @Override
    public void escalate(Notify notify, Escalation escalation) {}
  }
}
