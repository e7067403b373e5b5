package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After the approval a run takes only the steps of the plan the approver saw: a scenario that
 * strays from it fails its workflow task (a bug, never a change nobody approved).
 */
class StepOutsideThePlanTest {

  @WorkflowInterface
  public interface StrayWorkflow extends RecoveryRun {
    @WorkflowMethod(name = "Stray")
    RecoveryReport run(DatabaseTarget target);
  }

  /** Plans one step, then takes another. */
  public static class StrayWorkflowImpl extends RecoveryWorkflow implements StrayWorkflow {
    static boolean strayed;

    public StrayWorkflowImpl() {
      super("Stray");
    }

    @Override
    public RecoveryReport run(DatabaseTarget target) {
      return recover(target, null, new ApprovalDecision("alice", "--yes", false), null);
    }

    @Override
    protected Plan diagnose() {
      return plan().changes("planned", PlannedStep.KUBERNETES, "the one change the approver saw", null).build();
    }

    @Override
    protected ApprovalRequest approvalRequest(Plan plan) {
      java.time.Instant now = now();
      return new ApprovalRequest("planned", "the planned change", plan.lines(), "postgresql-0", 0, false, List.of(), now, approvalDeadline(now));
    }

    @Override
    protected String change() {
      step("planned", () -> { });
      step("unplanned", () -> strayed = true);
      return "done";
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
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(StrayWorkflowImpl.class).build();

  @Test
  void aStepNotInThePlanFailsTheRunBeforeItRuns(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    env.start();
    DatabaseTarget target = new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of(), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of()),
        new Verification(List.of("stories")), null, null, null, null, null);
    StrayWorkflow run = client.newWorkflowStub(StrayWorkflow.class, WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, "Stray"))
        .setTaskQueue(worker.getTaskQueue()).build());

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> run.run(target));

    String message = assertInstanceOf(ApplicationFailure.class, failed.getCause()).getOriginalMessage();
    assertTrue(message.contains("step unplanned is not in the plan the approver saw [planned]"), message);
    assertTrue(!StrayWorkflowImpl.strayed, "the stray step's body never ran");
  }
}
