package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;

/** How the workflow tests wait for a run of the lab's database: its approval, its report, the report of its failure. */
public final class RunResults {

  public static final String RUN = "recovery-fabrica-agentes.postgresql";

  private RunResults() {}

  /** Polls the run's status until it asks for an approval (up to 10 s). */
  public static RunStatus awaitApproval(RecoveryRun run) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      RunStatus status = run.status();
      if (status.pendingApproval() != null) {
        return status;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no approval asked; last: " + run.status());
  }

  /** The report of a run that ended without failing. */
  public static RecoveryReport result(WorkflowClient client) {
    return client.newUntypedWorkflowStub(RUN).getResult(RecoveryReport.class);
  }

  /** The report a failed run carries. */
  public static RecoveryReport failedReport(WorkflowClient client) {
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> result(client));
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    return failure.getDetails().get(RecoveryReport.class);
  }
}
