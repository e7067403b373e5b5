package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.target.ApprovalPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The approval gate on its own: who may decide, the RPO override, the first valid decision, the timeout. */
class ApprovalGateTest {

  /** What the gate recorded: the decision the run got, and the refusals it kept as warnings. */
  public record Outcome(ApprovalRecord decision, List<ApprovalRecord> records, List<String> refusals) {}

  @WorkflowInterface
  public interface Gated {
    @WorkflowMethod
    Outcome run(List<String> approvers, boolean rpoExceeded);

    @SignalMethod
    void approve(ApprovalDecision decision);

    @SignalMethod
    void reject(ApprovalDecision decision);

    @QueryMethod
    boolean pending();
  }

  public static class GatedImpl implements Gated {
    private ApprovalGate gate;

    @Override
    public Outcome run(List<String> approvers, boolean rpoExceeded) {
      gate = new ApprovalGate(new ApprovalPolicy(Duration.ofMinutes(15), approvers));
      Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      ApprovalRequest request = new ApprovalRequest("promote", "promote postgresql-1", List.of("fence", "promote"), "postgresql-1",
          rpoExceeded ? 7200 : 0, rpoExceeded, approvers, now, gate.deadlineFrom(now));
      ApprovalRecord decision = gate.await(request, () -> { });
      return new Outcome(decision, gate.records(), gate.refusals());
    }

    @Override
    public void approve(ApprovalDecision decision) {
      waitForGate();
      gate.onDecision(decision, true);
    }

    @Override
    public void reject(ApprovalDecision decision) {
      waitForGate();
      gate.onDecision(decision, false);
    }

    private void waitForGate() {
      Workflow.await(() -> gate != null && gate.pending() != null);
    }

    @Override
    public boolean pending() {
      return gate != null && gate.pending() != null;
    }
  }

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(GatedImpl.class).build();

  private static Gated start(WorkflowClient client, Worker worker, List<String> approvers, boolean rpoExceeded) {
    Gated run = client.newWorkflowStub(Gated.class, WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(run::run, approvers, rpoExceeded);
    return run;
  }

  @Test
  void aDecisionFromOutsideTheAllowListIsRefusedAndTheNextValidOneWins(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Gated run = start(client, worker, List.of("alice"), false);
    run.approve(new ApprovalDecision("mallory", "let me", false));
    run.reject(new ApprovalDecision("alice", "not now", false));
    run.approve(new ApprovalDecision("alice", "changed my mind", false));

    Outcome outcome = io.temporal.client.WorkflowStub.fromTyped(run).getResult(Outcome.class);

    assertEquals(ApprovalRecord.REJECTED, outcome.decision().decision(), "the first valid decision wins");
    assertEquals("alice", outcome.decision().by());
    assertEquals(1, outcome.records().size(), outcome.records().toString());
    assertTrue(outcome.refusals().get(0).contains("mallory is not among the approvers [alice]"), outcome.refusals().toString());
  }

  @Test
  void aLossAboveTheRpoNeedsAnExplicitOverride(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Gated run = start(client, worker, List.of(), true);
    run.approve(new ApprovalDecision("alice", "fine", false));
    run.approve(new ApprovalDecision("bob", "accepting the loss", true));

    Outcome outcome = io.temporal.client.WorkflowStub.fromTyped(run).getResult(Outcome.class);

    assertEquals(ApprovalRecord.APPROVED, outcome.decision().decision());
    assertEquals("bob", outcome.decision().by());
    assertTrue(outcome.decision().overrideRpo());
    assertTrue(outcome.refusals().get(0).contains("exceeds the RPO"), outcome.refusals().toString());
  }

  @Test
  void nobodyAnsweringTimesOutAfterThePolicysTimeout(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Instant started = Instant.ofEpochMilli(env.currentTimeMillis());
    Gated run = start(client, worker, List.of(), false);

    Outcome outcome = io.temporal.client.WorkflowStub.fromTyped(run).getResult(Outcome.class);

    assertEquals(ApprovalRecord.TIMED_OUT, outcome.decision().decision());
    assertEquals(List.of(outcome.decision()), outcome.records());
    assertTrue(!outcome.decision().at().isBefore(started.plus(Duration.ofMinutes(15))), outcome.decision().at() + " vs " + started);
  }
}
