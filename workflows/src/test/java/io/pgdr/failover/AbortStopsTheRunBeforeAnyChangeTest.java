package io.pgdr.failover;

import static io.pgdr.failover.DecideUpdateChecksLikeTheSignalTest.refusal;
import static io.pgdr.failover.FailoverFixtures.promoted;
import static io.pgdr.failover.FailoverFixtures.target;
import static io.pgdr.failover.FailoverMocks.awaitApproval;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.run.AbortRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.run.StepDecision;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The update {@code abort} stops a run cleanly: at the approval gate, nothing has been changed;
 * once the run is changing the cluster it is refused, since stopping midway would leave a fenced
 * primary and no promoted replica.
 */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class AbortStopsTheRunBeforeAnyChangeTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private WorkflowClient client;
  private FailoverMocks mocks;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    mocks = new FailoverMocks(env, worker, client);
    env.start();
  }

  private ReplicaPromotionWorkflow start(DatabaseTarget target, ApprovalDecision preApproval) {
    return mocks.start(target, new ReplicaPromotionRequest(target, null, "sre@example", preApproval));
  }

  @Test
  void abortAtTheApprovalGateEndsTheRunAbortedWithNothingChanged() throws Exception {
    ReplicaPromotionWorkflow run = start(target(), null);
    awaitApproval(run);

    ApprovalRecord recorded = run.abort(new AbortRequest("alice", "wrong database"));

    assertEquals(ApprovalRecord.ABORTED, recorded.decision());
    assertEquals("promote", recorded.step());
    RecoveryReport report = result();
    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertTrue(report.message().contains("aborted by alice (wrong database) before any change"), report.message());
    assertEquals(List.of(ApprovalRecord.ABORTED), report.approvals().stream().map(ApprovalRecord::decision).toList());
    mocks.verifyNothingChanged();
    assertEquals("aborted", client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").describe()
        .getTypedSearchAttributes().get(RunSearchAttributes.PHASE));
    WorkflowReplayer.replayWorkflowExecution(client.fetchHistory("recovery-fabrica-agentes.postgresql"), ReplicaPromotionWorkflowImpl.class);
  }

  @Test
  void abortOnceTheClusterIsBeingChangedIsRefusedAndTheRunFinishes() throws Exception {
    CountDownLatch promoting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    when(mocks.postgres.promoteServer(any())).thenAnswer(call -> {
      promoting.countDown();
      release.await(30, TimeUnit.SECONDS);
      return promoted();
    });
    ReplicaPromotionWorkflow run = start(target(), new ApprovalDecision("alice", "--yes", false));
    assertTrue(promoting.await(30, TimeUnit.SECONDS), "promotion never started");

    // the updates are answered by the workflow task after the one promoting: sent now, answered once it is released
    CompletableFuture<String> refusal = CompletableFuture.supplyAsync(() -> refusal(() -> run.abort(new AbortRequest("alice", "second thoughts"))));
    CompletableFuture<String> decision = CompletableFuture.supplyAsync(
        () -> refusal(() -> run.decide(new StepDecision("promote", false, "bob", "too late", false))));
    Thread.sleep(500); // both sent while the promotion holds its workflow task
    release.countDown();

    assertTrue(refusal.get(30, TimeUnit.SECONDS).contains("already changing the cluster (phase recovering)"), refusal.get());
    assertTrue(decision.get(30, TimeUnit.SECONDS).contains("no approval is pending"), decision.get());
    assertEquals(RecoveryReport.SUCCEEDED, result().outcome());
    verify(mocks.kubernetes).restartDeployments(any(), any());
  }

  @Test
  void abortFromSomeoneOutsideTheAllowListIsRefused() throws Exception {
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15), List.of("alice")), null);
    awaitApproval(run);

    String refusal = refusal(() -> run.abort(new AbortRequest("mallory", "chaos")));

    assertTrue(refusal.contains("mallory is not among the approvers [alice]"), refusal);
    run.approve(new ApprovalDecision("alice", "go", false));
    assertEquals(RecoveryReport.SUCCEEDED, result().outcome());
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }
}
