package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.target;
import static io.pgdr.failover.FailoverMocks.awaitApproval;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.run.AbortRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunStatus;
import io.pgdr.run.StepDecision;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pgdr cannot authenticate an approver, so each decision keeps, beside the approver it names, who
 * sent it as the sender says; a decision that names no sender (the UI's dialogs) says so. Both
 * show in the report and in the run's details in the Temporal UI.
 */
class DecisionsRecordWhoSentThemTest {

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

  private ReplicaPromotionWorkflow start(DatabaseTarget target) {
    return mocks.start(target, new ReplicaPromotionRequest(target, null, "sre@example", null));
  }

  @Test
  void theSenderIsRecordedBesideTheClaimedApproverAndShownInTheDetails() throws Exception {
    ReplicaPromotionWorkflow run = start(target());
    awaitApproval(run);

    ApprovalRecord recorded = run.decide(new StepDecision("promote", true, "alice", "primary node lost", false, "root@db-admin-1 (pgdr CLI)"));

    assertEquals("alice", recorded.by());
    assertEquals("root@db-admin-1 (pgdr CLI)", recorded.sentBy());
    RecoveryReport report = result();
    assertEquals("root@db-admin-1 (pgdr CLI)", report.approvals().get(0).sentBy());
    String details = currentDetails();
    assertTrue(details.contains("`promote` **approved** by alice, sent by root@db-admin-1 (pgdr CLI)"), details);
    WorkflowReplayer.replayWorkflowExecution(client.fetchHistory("recovery-fabrica-agentes.postgresql"), ReplicaPromotionWorkflowImpl.class);
  }

  @Test
  void aDecisionPastedInTheUiWithoutASenderIsRecordedAsNotGiven() throws Exception {
    ReplicaPromotionWorkflow run = start(target());
    awaitApproval(run);

    // what the UI's signal dialog sends: JSON with the fields the operator typed, no sentBy
    client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").signal("reject", Map.of("by", "bob", "reason", "the primary is back"));

    RecoveryReport report = result();
    assertEquals(RecoveryReport.ABORTED, report.outcome());
    assertEquals("bob", report.approvals().get(0).by());
    assertEquals(ApprovalRecord.SENDER_NOT_GIVEN, report.approvals().get(0).sentBy());
    assertTrue(currentDetails().contains("by bob, " + ApprovalRecord.SENDER_NOT_GIVEN), currentDetails());
    assertFalse(currentDetails().contains("sent by " + ApprovalRecord.SENDER_NOT_GIVEN), "not 'sent by sent from ...': " + currentDetails());
  }

  @Test
  void anAbortRecordsItsSender() throws Exception {
    ReplicaPromotionWorkflow run = start(target());
    awaitApproval(run);

    ApprovalRecord aborted = run.abort(new AbortRequest("alice", "wrong database", "alice@laptop (pgdr CLI)"));

    assertEquals("alice@laptop (pgdr CLI)", aborted.sentBy());
    assertEquals("alice@laptop (pgdr CLI)", result().approvals().get(0).sentBy());
  }

  @Test
  void aSignalThatIsIgnoredNamesItsSenderInTheWarning() throws Exception {
    ReplicaPromotionWorkflow run = start(target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15), List.of("alice")));
    awaitApproval(run);

    run.approve(new ApprovalDecision("mallory", "trust me", false, "mallory@somewhere (pgdr CLI)"));

    RunStatus status = FailoverMocks.awaitStatus(run, s -> !s.warnings().isEmpty());
    assertTrue(status.warnings().get(0).contains("approve by mallory (mallory@somewhere (pgdr CLI)) ignored"), status.warnings().toString());
    run.abort(new AbortRequest("alice", "end of test"));
  }

  private String currentDetails() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql")
        .query(WorkflowClient.QUERY_TYPE_WORKFLOW_METADATA, WorkflowMetadata.class).getCurrentDetails();
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }
}
