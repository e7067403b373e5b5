package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.FailureTypes;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The run's identity is the database (namespace + StatefulSet), not the name a target file gives it. */
class OneDatabaseOneRecoveryTest {

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

  @Test
  void aCopyOfTheTargetUnderAnotherNameIsRefusedNamingTheRunningRecovery() throws Exception {
    DatabaseTarget original = target();
    ReplicaPromotionWorkflow first = mocks.start(original, new ReplicaPromotionRequest(original, null, "sre", null));
    FailoverMocks.awaitApproval(first);

    DatabaseTarget renamed = renamed(original, "fabrica-db-copy");
    WorkflowExecutionAlreadyStarted refused = assertThrows(WorkflowExecutionAlreadyStarted.class,
        () -> mocks.start(renamed, new ReplicaPromotionRequest(renamed, null, "sre", null)));

    assertEquals("recovery-fabrica-agentes.postgresql", refused.getExecution().getWorkflowId());
    assertEquals(original.recoveryWorkflowId(), renamed.recoveryWorkflowId());
  }

  @Test
  void aRunStartedUnderAnotherWorkflowIdFailsBeforeChangingAnything() {
    // what the UI's start page allows: any workflow ID typed by hand
    DatabaseTarget target = target();
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        WorkflowOptions.newBuilder(mocks.options(target)).setWorkflowId("recovery-my-own-name").build());
    WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target, null, "sre", new io.pgdr.run.ApprovalDecision("sre", "--yes", false)));

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class,
        () -> client.newUntypedWorkflowStub("recovery-my-own-name").getResult(RecoveryReport.class));
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals(FailureTypes.RECOVERY_FAILED, failure.getType());
    RecoveryReport report = failure.getDetails().get(RecoveryReport.class);
    assertTrue(report.message().contains("runs as recovery-fabrica-agentes.postgresql"), report.message());
    assertTrue(report.failedOnInput(), "refused as bad input: the CLI exits 2");
    mocks.verifyNothingChanged();
  }

  private static DatabaseTarget renamed(DatabaseTarget t, String name) {
    return new DatabaseTarget(name, t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(), t.postgres(),
        t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(), null, null, null);
  }
}
