package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** A failover declares its plan from what its diagnosis found; the approver sees it, --plan prints it, and it is what runs. */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class PlanIsWhatRunsTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private static final List<String> FAILOVER = List.of("fence", "promote", "repoint", "restart-apps", "verify", "offer-rejoin");

  private WorkflowClient client;
  private FailoverMocks mocks;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    mocks = new FailoverMocks(env, worker, client);
    env.start();
  }

  @Test
  void thePlanTheApproverSawIsTheStepsThatRan() throws Exception {
    DatabaseTarget target = target();
    ReplicaPromotionWorkflow run = mocks.start(target, new ReplicaPromotionRequest(target, null, "sre", null));
    RunStatus waiting = FailoverMocks.awaitApproval(run);
    List<String> shown = waiting.pendingApproval().plan().stream().map(line -> line.substring(0, line.indexOf(" ["))).toList();
    assertTrue(waiting.pendingApproval().plan().get(0).contains("postgresql-0"), "the plan names the pod it fences: " + waiting.pendingApproval().plan());
    run.approve(new ApprovalDecision("alice", "primary gone", false));
    RecoveryReport report = client.newUntypedWorkflowStub(target.recoveryWorkflowId()).getResult(RecoveryReport.class);

    assertEquals(FAILOVER, shown);
    List<String> ran = report.steps().stream().map(s -> s.name()).toList();
    assertEquals(shown, ran.subList(ran.indexOf("approval") + 1, ran.size()));
    assertEquals(List.of("fence", "promote", "repoint", "restart-apps"), report.changes().stream().map(ChangeRecord::step).toList());
    assertTrue(report.changes().stream().allMatch(c -> ChangeRecord.MADE.equals(c.state())));
    assertTrue(report.message().contains("postgresql-0 stays fenced"), "what the run leaves for people: " + report.message());
  }

  @Test
  void aPlanOnlyRunDiagnosesShowsThePlanAndChangesNothing() {
    DatabaseTarget target = target();
    mocks.start(target, new ReplicaPromotionRequest(target, null, "sre", null, true));
    RecoveryReport report = client.newUntypedWorkflowStub(target.recoveryWorkflowId()).getResult(RecoveryReport.class);

    assertEquals(RecoveryReport.PLANNED, report.outcome(), report.message());
    assertEquals(List.of("diagnose", "choose-candidate"), report.steps().stream().map(s -> s.name()).toList(), "no approval was asked");
    assertEquals(FAILOVER, report.plan().stream().map(PlannedStep::name).toList());
    assertEquals(List.of(true, true, true, true, false, false), report.plan().stream().map(PlannedStep::destructive).toList());
    assertEquals(null, ((PromotionOutcome) report.result()).newPrimary(), "nothing was promoted");
    assertEquals("postgresql-0", ((PromotionOutcome) report.result()).oldPrimary());
    assertTrue(report.plan().get(1).change().contains("promote postgresql-1"), report.plan().get(1).change());
    assertTrue(report.changes().isEmpty());
    mocks.verifyNothingChanged();
  }

  @Test
  void aPromotionThatFailsReportsWhatWasChangedAndWhatIsLeft() {
    when(mocks.postgres.promoteServer(any())).thenThrow(ApplicationFailure.newNonRetryableFailure("pg_promote returned false", "PromotionFailed"));
    DatabaseTarget target = target();
    mocks.start(target, new ReplicaPromotionRequest(target, null, "sre", new ApprovalDecision("alice", "--yes", false)));
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class,
        () -> client.newUntypedWorkflowStub(target.recoveryWorkflowId()).getResult(RecoveryReport.class));
    RecoveryReport report = assertInstanceOf(ApplicationFailure.class, failed.getCause()).getDetails().get(RecoveryReport.class);

    assertEquals(List.of(ChangeRecord.MADE, ChangeRecord.UNDER_WAY), report.changes().stream().map(ChangeRecord::state).toList());
    assertTrue(report.message().startsWith("step promote failed: pg_promote returned false. Changed: fence. Under way when it stopped,"
        + " maybe partly done: promote."), report.message());
    assertTrue(report.message().endsWith("Not done: repoint, restart-apps."), report.message());
  }

  @Test
  void aRunCancelledAtTheGateReportsThatNothingWasChangedAndAsksNothingMore() throws Exception {
    DatabaseTarget target = target();
    ReplicaPromotionWorkflow run = mocks.start(target, new ReplicaPromotionRequest(target, null, "sre", null));
    FailoverMocks.awaitApproval(run);
    client.newUntypedWorkflowStub(target.recoveryWorkflowId()).cancel();
    RunStatus ended = FailoverMocks.awaitStatus(run, s -> s.report() != null);

    assertEquals(RecoveryReport.CANCELLED, ended.report().outcome());
    assertEquals("the run was cancelled at step approval. Nothing was changed.", ended.report().message());
    assertEquals(null, ended.pendingApproval(), "nothing is pending on a cancelled run");
    assertEquals(FAILOVER, ended.report().plan().stream().map(PlannedStep::name).toList(), "the plan the approver was shown");
    mocks.verifyNothingChanged();
  }
}
