package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RtoClock;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Without --incident-start the RTO clock starts when the run was started (by the CLI or the UI), not
 * when a worker first picked it up: an outage waiting for a worker is part of the outage.
 */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class IncidentStartIsTheRunsStartTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private static final ApprovalDecision YES = new ApprovalDecision("sre", "--yes", false);

  @Test
  void aRunPickedUpLateCountsItsRtoFromItsStart(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    FailoverMocks mocks = new FailoverMocks(env, worker, client);
    DatabaseTarget target = target();
    Instant started = Instant.ofEpochMilli(env.currentTimeMillis());
    mocks.start(target, new ReplicaPromotionRequest(target, null, "sre", YES));
    // no worker polls yet; the test service skips no time while the run's first task waits
    sleep(Duration.ofSeconds(4));
    env.start();

    RecoveryReport report = client.newUntypedWorkflowStub(target.recoveryWorkflowId()).getResult(RecoveryReport.class);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    assertTrue(Duration.between(started, report.incidentStart()).abs().toMillis() < 2000,
        "incident start " + report.incidentStart() + " is the run's start " + started + ", not when a worker came");
    assertTrue(report.rto().measuredSeconds() >= 4, "RTO counts the seconds without a worker: " + report.rto());
    assertEquals(RtoClock.RUN_START, report.rto().incidentStartBasis());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aGivenIncidentStartIsSaidToBeGiven(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    FailoverMocks mocks = new FailoverMocks(env, worker, client);
    env.start();
    DatabaseTarget target = target();
    Instant incident = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofMinutes(7));
    mocks.start(target, new ReplicaPromotionRequest(target, incident, "sre", YES));

    RecoveryReport report = client.newUntypedWorkflowStub(target.recoveryWorkflowId()).getResult(RecoveryReport.class);

    assertEquals(incident, report.incidentStart());
    assertEquals(RtoClock.GIVEN, report.rto().incidentStartBasis());
    assertTrue(report.rto().measuredSeconds() >= 420, report.rto().toString());
  }
}
