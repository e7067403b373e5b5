package io.pgdr.outage;

import static io.pgdr.incident.OutageScene.PRIMARY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.incident.OutageScene;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunResults;
import io.pgdr.run.RunStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The wait for a transient outage, on skipped time: a quiet recovery, and one that never comes and escalates. */
class TransientOutageWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(TransientOutageWorkflowImpl.class,
      ReplicaPromotionWorkflowImpl.class).build();

  private OutageScene scene;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    scene = new OutageScene(env, worker);
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    env.start();
  }

  @Test
  void aPrimaryBackBeforeTheThresholdEndsTheRunQuietly() {
    scene.primaryPod(new io.pgdr.ports.PodState(PRIMARY, "Running", false, 2, "10.0.0.10", 5432, false));
    ServerState down = ServerState.unreachable(PRIMARY, "10.0.0.10:5432", "the database system is starting up");
    when(scene.postgres.inspectServer(argThat(s -> s != null && s.pod().equals(PRIMARY)))).thenReturn(down, down, down, down,
        new ServerState(PRIMARY, "10.0.0.10:5432", true, null, false, "0/3000100", null, null, null, false, "15.8", List.of(), false));
    start(null);

    RecoveryReport report = RunResults.result(client);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    TransientOutageOutcome outcome = (TransientOutageOutcome) report.result();
    // the diagnosis saw it down, then checks 1-3 did, and check 4 found it back: 90 s of timers later
    assertEquals(4, outcome.checks());
    assertEquals(4, outcome.backAfterChecks());
    assertTrue(report.approvals().isEmpty(), "nobody was asked: " + report.approvals());
    assertTrue(outcome.usage().contains("no metrics API"), outcome.usage());
    assertEquals(4, report.steps().stream().filter(s -> s.name().equals("watch")).count(), "each check is on the timeline");
    assertEquals(0.0, report.rpo().lostSeconds());
    verify(scene.kubernetes, never()).restartPod(any(), anyString(), anyString());
    verify(scene.postgres).verifyPrimary(argThat(s -> s.pod().equals(PRIMARY)), any(), anyString());
  }

  @Test
  void aPrimaryThatStaysDownIsRestartedThenEscalatedToAFailoverAfterApprovals() throws Exception {
    TransientOutageWorkflow run = start(null);

    RunStatus restart = awaitPending(run, "restart-pod");
    assertTrue(restart.pendingApproval().summary().startsWith("restart pod postgresql-0 of fabrica-db"), restart.pendingApproval().summary());
    run.approve(new ApprovalDecision("alice", "a signal names no step", false));
    assertTrue(awaitPending(run, "restart-pod").warnings().stream().anyMatch(w -> w.contains("answer with the update decide")),
        "a signal could land on a later request: only decide answers");
    run.decide(new io.pgdr.run.StepDecision("restart-pod", true, "alice", "restart it", false));

    RunStatus failover = awaitPending(run, "escalate");
    verify(scene.kubernetes).restartPod(any(), eq(PRIMARY), anyString());
    assertTrue(failover.pendingApproval().summary().contains("is still down at 50% of the RTO"), failover.pendingApproval().summary());
    run.decide(new io.pgdr.run.StepDecision("escalate", true, "alice", "fail over", false));

    RecoveryReport report = RunResults.result(client);
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome(), report.message());
    TransientOutageOutcome outcome = (TransientOutageOutcome) report.result();
    assertNull(outcome.backAfterChecks());
    assertTrue(outcome.restarted());
    assertEquals(RunResults.RUN + "/escalation", outcome.escalation());
    assertEquals(ReplicaPromotionWorkflow.SCENARIO, outcome.escalationReport().scenario());
    assertEquals(RecoveryReport.SUCCEEDED, outcome.escalationReport().outcome(), outcome.escalationReport().message());
    assertEquals("alice", outcome.escalationReport().approvals().get(0).by(), "the escalation's approval is the failover's");
    verify(scene.postgres).promoteServer(any());
    // 10 min RTO: the restart is asked at 2.5 min, the failover at 5 min, a check every 30 s (the test's
    // own steps of skipped time may add a check or two before its approval lands)
    assertTrue(outcome.checks() >= 10 && outcome.checks() <= 14, "checks: " + outcome.checks());
  }

  @Test
  void aRejectedFailoverEndsTheRunAtTheRtoWithoutChangingMore() throws Exception {
    TransientOutageWorkflow run = start(null);
    awaitPending(run, "restart-pod");
    run.decide(new io.pgdr.run.StepDecision("restart-pod", false, "bob", "leave it", false));
    awaitPending(run, "escalate");
    run.decide(new io.pgdr.run.StepDecision("escalate", false, "bob", "no failover", false));

    RecoveryReport report = RunResults.failedReport(client);

    assertTrue(report.message().contains("is still down at the end of the RTO"), report.message());
    assertTrue(report.message().contains("the failover was rejected"), report.message());
    verify(scene.kubernetes, never()).restartPod(any(), anyString(), anyString());
    verify(scene.postgres, never()).promoteServer(any());
  }

  @Test
  void aYesApprovesTheRestartButNeverTheFailover() throws Exception {
    TransientOutageRequest request = new TransientOutageRequest(OutageScene.target(), scene.now, "sre",
        new ApprovalDecision("alice", "--yes", false), null, null, null);
    TransientOutageWorkflow run = client.newWorkflowStub(TransientOutageWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(request.target(), TransientOutageWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::waitForRecovery, request);

    awaitPending(run, "escalate");
    verify(scene.kubernetes).restartPod(any(), eq(PRIMARY), anyString());
    verify(scene.postgres, never()).promoteServer(any());
    run.decide(new io.pgdr.run.StepDecision("escalate", false, "bob", "not yet", false));
    assertTrue(RunResults.failedReport(client).message().contains("the failover was rejected"));
  }

  @Test
  void badCheckSettingsAreBadInput() {
    start(Duration.ZERO);
    RecoveryReport report = RunResults.failedReport(client);
    assertTrue(report.badInput(), report.message());
    assertTrue(report.message().contains("checkEvery"), report.message());
  }

  private RunStatus awaitPending(TransientOutageWorkflow run, String step) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      RunStatus status = run.status();
      if (status.pendingApproval() != null && status.pendingApproval().step().equals(step)) {
        return status;
      }
      env.sleep(Duration.ofSeconds(10)); // lets the run's timers fire: polling alone skips no time
    }
    throw new AssertionError("no approval of " + step + " asked; last: " + run.status());
  }

  private TransientOutageWorkflow start(Duration checkEvery) {
    TransientOutageRequest request = new TransientOutageRequest(OutageScene.target(), scene.now, "sre", null, null, checkEvery, null);
    TransientOutageWorkflow run = client.newWorkflowStub(TransientOutageWorkflow.class,
        WorkflowOptions.newBuilder(RecoveryOptions.forTarget(request.target(), TransientOutageWorkflow.SCENARIO)).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::waitForRecovery, request);
    return run;
  }
}
