package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.target;
import static io.pgdr.failover.FailoverMocks.awaitApproval;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.run.StepDecision;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The update {@code decide} (what the UI's update dialog and the CLI send) applies the rules of
 * the approval gate, and a decision that does not fit is refused to its sender at once instead of
 * becoming a warning on the run.
 */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class DecideUpdateChecksLikeTheSignalTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

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

  private ReplicaPromotionWorkflow start(DatabaseTarget target) {
    return mocks.start(target, new ReplicaPromotionRequest(target, null, "sre@example", null));
  }

  private static DatabaseTarget onlyAlice() {
    return target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15), List.of("alice"));
  }

  @Test
  void approvalByUpdateIsRecordedAndTheFailoverProceeds() throws Exception {
    ReplicaPromotionWorkflow run = start(onlyAlice());
    awaitApproval(run);

    ApprovalRecord recorded = run.decide(new StepDecision("promote", true, "alice", "primary node lost", false));

    assertEquals(ApprovalRecord.APPROVED, recorded.decision());
    assertEquals("alice", recorded.by());
    RecoveryReport report = result();
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertEquals("primary node lost", report.approvals().get(0).reason());
    verify(mocks.postgres).promoteServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")));
    // a run with updates, search attributes and named timers replays on today's code
    WorkflowReplayer.replayWorkflowExecution(client.fetchHistory("recovery-fabrica-agentes.postgresql"), ReplicaPromotionWorkflowImpl.class);
  }

  @Test
  void approverOutsideTheAllowListIsRefusedAtOnce() throws Exception {
    ReplicaPromotionWorkflow run = start(onlyAlice());
    awaitApproval(run);

    String refusal = refusal(() -> run.decide(new StepDecision("promote", true, "mallory", "trust me", false)));

    assertTrue(refusal.contains("mallory is not among the approvers [alice]"), refusal);
    RunStatus status = run.status();
    assertNotNull(status.pendingApproval(), "still waiting");
    assertTrue(status.approvals().isEmpty(), status.approvals().toString());
    assertTrue(status.warnings().isEmpty(), "the sender was told; nothing to warn about: " + status.warnings());
    mocks.verifyNothingChanged();
  }

  @Test
  void decisionForAStepThatIsNotPendingIsRefused() throws Exception {
    ReplicaPromotionWorkflow run = start(target());
    awaitApproval(run);

    String refusal = refusal(() -> run.decide(new StepDecision("restore", true, "alice", "wrong run", false)));

    assertTrue(refusal.contains("awaits approval of step 'promote', not 'restore'"), refusal);
    mocks.verifyNothingChanged();
  }

  @Test
  void lossAboveTheRpoIsApprovedOnlyWithTheOverride() throws Exception {
    Instant longAgo = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofMinutes(5));
    when(mocks.postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(FailoverFixtures.laggingStandby(longAgo));
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(15), List.of()));
    assertTrue(awaitApproval(run).pendingApproval().rpoExceeded());

    String refusal = refusal(() -> run.decide(new StepDecision("promote", true, "alice", "go", false)));
    assertTrue(refusal.contains("exceeds the RPO"), refusal);

    run.decide(new StepDecision("promote", true, "alice", "the business accepts the loss", true));
    RecoveryReport report = result();
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertTrue(report.approvals().get(0).overrideRpo());
  }

  @Test
  void rejectionByUpdateAbortsBeforeAnyChange() throws Exception {
    ReplicaPromotionWorkflow run = start(target());
    awaitApproval(run);

    ApprovalRecord recorded = run.decide(new StepDecision("promote", false, "bob", "the primary is coming back", false));

    assertEquals(ApprovalRecord.REJECTED, recorded.decision());
    RecoveryReport report = result();
    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertTrue(report.message().contains("rejected by bob"), report.message());
    mocks.verifyNothingChanged();
  }

  /** The reason the workflow gave for refusing an update. */
  static String refusal(Runnable update) {
    WorkflowUpdateException refused = assertThrows(WorkflowUpdateException.class, update::run);
    return assertInstanceOf(ApplicationFailure.class, refused.getCause()).getOriginalMessage();
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }
}
