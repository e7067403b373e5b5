package io.pgdr.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.when;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.run.StepRecord;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Notify;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * An escalation the webhook does not take (after the activity's retries) does not fail the run: the
 * run's warnings and its report say it was not delivered, naming the webhook's host and never its
 * URL, whose path and query hold a token.
 */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class UndeliveredEscalationTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private static final String WEBHOOK = "https://hooks.example.com/services/T000/B000?token=s3cr3t";
  private static final String UNDELIVERED = "escalation to hooks.example.com not delivered: HTTP 500";

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private FailoverMocks mocks;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.client = client;
    mocks = new FailoverMocks(env, worker, client);
    doThrow(ApplicationFailure.newFailure("HTTP 500", "EscalationNotDelivered")).when(mocks.notifications).escalate(any(), any());
    env.start();
  }

  @Test
  void anUnansweredApprovalWhoseEscalationFailsStillAbortsAndSaysNobodyWasPaged() {
    ReplicaPromotionWorkflow run = start(null, null);
    RecoveryReport report = result(); // time skips over the approval timeout and the activity's retries

    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertEquals(ApprovalRecord.TIMED_OUT, report.approvals().get(0).decision());
    StepRecord approval = report.steps().stream().filter(s -> s.name().equals("approval")).findFirst().orElseThrow();
    assertTrue(approval.detail().contains(UNDELIVERED), approval.detail());
    RunStatus status = run.status();
    assertTrue(status.warnings().contains(UNDELIVERED), status.warnings().toString());
    assertFalse((status.warnings() + " " + report.steps()).contains("s3cr3t"));
  }

  @Test
  void aBreachWhoseEscalationFailsDoesNotStopTheRecovery() throws InterruptedException {
    ReplicaPromotionWorkflow run = start(Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofHours(2)), null);
    RunStatus waiting = awaitWarning(run);
    assertTrue(waiting.rtoBreached());

    run.approve(new ApprovalDecision("alice", "primary lost", false));
    RecoveryReport report = result();

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertTrue(report.steps().stream().anyMatch(s -> s.detail() != null && s.detail().contains(UNDELIVERED)), report.steps().toString());
  }

  private static RunStatus awaitWarning(ReplicaPromotionWorkflow run) throws InterruptedException {
    // the activity's retries back off in real seconds here: time skips only while a result is awaited
    for (int i = 0; i < 400; i++) {
      RunStatus status = run.status();
      if (status.warnings().contains(UNDELIVERED)) {
        return status;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the undelivered escalation never showed; last: " + run.status());
  }

  private ReplicaPromotionWorkflow start(Instant incidentStart, ApprovalDecision preApproval) {
    DatabaseTarget target = withWebhook(FailoverFixtures.target());
    return mocks.start(target, new ReplicaPromotionRequest(target, incidentStart, "sre@example", preApproval));
  }

  private static DatabaseTarget withWebhook(DatabaseTarget t) {
    return new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(), t.postgres(),
        t.objectives(), t.approval(), t.verification(), new Notify(WEBHOOK), t.backups(), null, null, null);
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }
}
