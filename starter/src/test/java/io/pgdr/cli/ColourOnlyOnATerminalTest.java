package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RtoFigures;
import io.pgdr.run.StepRecord;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Colours reach a person's terminal only: output to any other writer, and JSON output anywhere,
 * is plain text without escape codes.
 */
class ColourOnlyOnATerminalTest {

  private static final String ESCAPE = "\u001B[";

  @org.junit.jupiter.api.Tag("real-servers")
  @Test
  void commandOutputToOwnWritersHasNoEscapeCodes() throws Exception {
    try (TemporalWithWorker temporal = TemporalWithWorker.start(TaskQueues.PGDR,
        worker -> worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class))) {
      WorkflowClient client = temporal.client;
      DatabaseTarget target = ListCommandTest.target("fabrica-db", "Not_A_Namespace"); // a failed run, at once
      ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
          RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO));
      WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target, null, "test", null));
      ListCommandTest.awaitClosed(client, target.recoveryWorkflowId());

      CliRun status = CliRun.of("status", "fabrica-db", "--temporal-address", temporal.address());
      assertEquals(ExitCodes.BAD_INPUT, status.exitCode(), status.toString()); // the run refused its target
      assertTrue(status.out().contains("ReplicaPromotion of fabrica-db: FAILED"), status.out());
      assertFalse(status.out().contains(ESCAPE) || status.err().contains(ESCAPE), status.toString());

      CliRun list = CliRun.of("list", "--temporal-address", temporal.address());
      assertTrue(list.out().contains(target.recoveryWorkflowId()), list.toString());
      assertFalse(list.out().contains(ESCAPE), list.out());
    }
  }

  @Test
  void aTerminalWriterGetsColoursAndAnyOtherWriterNone() {
    StringWriter terminalText = new StringWriter();
    PrintWriter terminalOut = new PrintWriter(terminalText);
    StringWriter plainText = new StringWriter();
    Colours.useFor(terminalOut);

    ReportView.printReport(terminalOut, failedReport());
    ReportView.printReport(new PrintWriter(plainText), failedReport());

    assertTrue(terminalText.toString().contains(ESCAPE + "31mFAILED"), terminalText.toString());
    assertFalse(plainText.toString().contains(ESCAPE), plainText.toString());
    assertEquals(terminalText.toString().replaceAll("\u001B\\[\\d+m", ""), plainText.toString(), "the same text, without colour");
  }

  @Test
  void jsonOutputIsNeverColouredEvenAtATerminal() {
    StringWriter json = new StringWriter();
    PrintWriter jsonOut = new PrintWriter(json);
    PrintWriter table = new PrintWriter(new StringWriter());

    Main.commandLine(jsonOut, new PrintWriter(new StringWriter()), true).execute("list", "--output", "json", "--temporal-address", "127.0.0.1:1");
    Main.commandLine(table, new PrintWriter(new StringWriter()), true).execute("list", "--temporal-address", "127.0.0.1:1");

    assertFalse(Colours.of(jsonOut).outcome("failed", "x").contains(ESCAPE), "--output json at a terminal: plain");
    assertTrue(Colours.of(table).outcome("failed", "x").contains(ESCAPE), "a table at a terminal: coloured");
  }

  private static RecoveryReport failedReport() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    return new RecoveryReport("ReplicaPromotion", "fabrica-db", "recovery-fabrica-agentes.postgresql", RecoveryReport.FAILED, "promotion failed",
        start, start.plusSeconds(90), new RtoFigures(null, 3600, true, List.of(), null), null, List.of(),
        List.of(new StepRecord("diagnose", start, start.plusSeconds(1), "succeeded", null),
            new StepRecord("promote", start.plusSeconds(1), start.plusSeconds(90), "failed", "pg_promote returned false")),
        null, null, List.of(), null, null);
  }
}
