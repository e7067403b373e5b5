package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.FailureTypes;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger through a small scenario of its own: a scratch copy that is undone (compensated in a
 * detached scope) and a writer stop that is left standing with an instruction, whether the run
 * fails, is cancelled or finishes.
 */
class LedgerTest {

  @ActivityInterface
  public interface Scratch {
    void createCopy();

    void dropCopy();

    void stopWriters();

    void restartWriters();

    /** Blocks while the test holds it, or fails as the test says. */
    void use();
  }

  @WorkflowInterface
  public interface ScratchRun extends RecoveryRun {
    @WorkflowMethod
    RecoveryReport run(DatabaseTarget target);
  }

  /** Copy (undone when the run stops), stop writers (left with an instruction), use the copy, bring writers back. */
  public static class ScratchRunImpl extends RecoveryWorkflow implements ScratchRun {
    private final Scratch scratch = Workflow.newActivityStub(Scratch.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5)).setRetryOptions(io.temporal.common.RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());

    public ScratchRunImpl() {
      super("Scratch");
    }

    @Override
    public RecoveryReport run(DatabaseTarget target) {
      return recover(target, null, new ApprovalDecision("alice", "--yes", false), null);
    }

    @Override
    protected Plan diagnose() {
      return plan()
          .changes("copy", PlannedStep.POSTGRES, "create a scratch copy", "Drop the scratch copy by hand")
          .changes("stop-writers", PlannedStep.KUBERNETES, "scale the writers to 0", "Writers stay at 0: scale them back after checking the data")
          .reads("use", PlannedStep.POSTGRES, "use the copy")
          .changes("restart-writers", PlannedStep.KUBERNETES, "scale the writers back", null)
          .build();
    }

    @Override
    protected ApprovalRequest approvalRequest(Plan plan) {
      return new ApprovalRequest("scratch", "use a scratch copy", plan.lines(), "copy", 0, false, List.of(), now(), approvalDeadline(now()));
    }

    @Override
    protected String change() {
      step("copy", scratch::createCopy);
      ledger.compensateWith("copy", scratch::dropCopy);
      step("stop-writers", scratch::stopWriters);
      step("use", scratch::use);
      step("restart-writers", scratch::restartWriters);
      ledger.handedBack("stop-writers");
      return "the copy was used";
    }

    @Override
    protected ScenarioOutcome outcome() {
      return null;
    }

    @Override
    protected RpoFigures rpo() {
      return null;
    }
  }

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ScratchRunImpl.class).build();

  private final Scratch scratch = mock(Scratch.class, withSettings().withoutAnnotations());
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    worker.registerActivitiesImplementations(scratch);
    env.start();
  }

  private static DatabaseTarget target() {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of(), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of()), null, null, null, null, null);
  }

  private ScratchRun start() {
    ScratchRun run = client.newWorkflowStub(ScratchRun.class, WorkflowOptions.newBuilder()
        .setWorkflowId(target().recoveryWorkflowId()).setTaskQueue(taskQueue).build());
    WorkflowClient.start(run::run, target());
    return run;
  }

  private RecoveryReport failedReport(WorkflowStub stub) {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> stub.getResult(RecoveryReport.class));
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals(FailureTypes.RECOVERY_FAILED, failure.getType());
    return failure.getDetails().get(RecoveryReport.class);
  }

  @Test
  void aFailedStepUndoesWhatWasRegisteredAndLeavesTheRestWithItsInstruction() {
    doThrow(ApplicationFailure.newNonRetryableFailure("the copy is unreadable", "ScratchFailed")).when(scratch).use();
    start();
    RecoveryReport report = failedReport(client.newUntypedWorkflowStub(target().recoveryWorkflowId()));

    verify(scratch).dropCopy();
    verify(scratch, never()).restartWriters();
    assertEquals(List.of("copy compensated", "stop-writers made"),
        report.changes().stream().map(c -> c.step() + " " + c.state()).toList());
    assertEquals("step use failed: the copy is unreadable. Changed: stop-writers. Undone: copy."
        + " Writers stay at 0: scale them back after checking the data. Not done: restart-writers.", report.message());
  }

  @Test
  void aCancelledRunStillUndoesAndReportsInADetachedScope() throws Exception {
    CountDownLatch using = new CountDownLatch(1);
    doAnswer(call -> {
      using.countDown();
      Thread.sleep(60_000); // until the cancellation reaches the activity's worker
      return null;
    }).when(scratch).use();
    start();
    assertTrue(using.await(30, TimeUnit.SECONDS));
    WorkflowStub stub = client.newUntypedWorkflowStub(target().recoveryWorkflowId());
    stub.cancel();
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> stub.getResult(RecoveryReport.class));
    assertInstanceOf(CanceledFailure.class, failed.getCause(), "Temporal closes the run as cancelled");
    RecoveryReport report = client.newWorkflowStub(ScratchRun.class, target().recoveryWorkflowId()).status().report();

    verify(scratch, timeout(5_000)).dropCopy();
    assertEquals(RecoveryReport.CANCELLED, report.outcome());
    assertTrue(report.message().startsWith("the run was cancelled at step use. Changed: stop-writers. Undone: copy."), report.message());
    assertTrue(report.message().contains("Writers stay at 0"), report.message());
  }

  @Test
  void aRunThatFinishesKeepsOnlyWhatIsLeftForPeople() {
    start();
    RecoveryReport report = client.newUntypedWorkflowStub(target().recoveryWorkflowId()).getResult(RecoveryReport.class);

    verify(scratch, never()).dropCopy();
    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertEquals(List.of("copy made", "stop-writers handed back", "restart-writers made"),
        report.changes().stream().map(c -> c.step() + " " + c.state()).toList());
    assertEquals("the copy was used. Drop the scratch copy by hand.", report.message());
  }
}
