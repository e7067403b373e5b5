package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.run.AbortRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.run.StepDecision;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.Payloads;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options every recovery start shares ({@code failover promote-replica}, {@code restore}):
 * {@code --plan} asks the run for a plan only and follows it to its report; {@code --yes} with it
 * is a usage error. The runs are stand-ins that end at once, planned when asked for a plan, so the
 * request each command started is read back from the run's history.
 */
@org.junit.jupiter.api.Tag("real-servers")
class RecoveryStartOptionsTest {

  private static final String RUN = "recovery-fabrica-agentes.postgresql";

  static TemporalWithWorker temporal;

  @TempDir Path dir;

  @BeforeAll
  static void startTemporalAndAWorker() {
    temporal = TemporalWithWorker.start(TaskQueues.PGDR,
        worker -> worker.registerWorkflowImplementationTypes(StandInFailover.class, StandInRestore.class));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    temporal.close();
  }

  private Path target(String yaml) throws IOException {
    Path file = dir.resolve("target.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void planWithYesIsAUsageErrorOfEitherScenarioBeforeTheTargetIsRead() {
    String missing = dir.resolve("nope.yaml").toString();
    for (String command : List.of("failover promote-replica", "restore")) {
      List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
      args.addAll(List.of("--target", missing, "--plan", "--yes", "--temporal-address", temporal.address()));
      CliRun run = CliRun.of(args.toArray(String[]::new));

      assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
      assertTrue(run.err().contains("pgdr: --yes does not go with --plan: a plan changes nothing, so there is nothing to approve"), run.err());
      assertTrue(run.err().contains("hint: see pgdr " + command + " --help"), run.err());
      assertFalse(run.err().contains("does not exist"), "refused before the target file is read: " + run.err());
      assertEquals("", run.out());
    }
  }

  @Test
  void planStartsAPlanOnlyRunAndFollowsItToItsReport() throws Exception {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", target(CliBadInputTest.VALID).toString(), "--plan",
        "--temporal-address", temporal.address());

    assertEquals(ExitCodes.OK, run.exitCode(), "a plan that ended planned: " + run);
    assertTrue(run.err().contains("started " + RUN + " (ReplicaPromotion of fabrica-db, plan only)"), run.err());
    assertTrue(run.out().contains("ReplicaPromotion of fabrica-db: PLANNED"), "followed without --follow: " + run.out());
    ReplicaPromotionRequest request = started(ReplicaPromotionRequest.class);
    assertEquals(Boolean.TRUE, request.planOnly());
    assertNull(request.preApproval());
    assertEquals("fabrica-db", request.target().name());
  }

  @Test
  void withoutPlanTheRequestIsTheRecoveryItAlwaysWas() throws Exception {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", target(CliBadInputTest.VALID).toString(), "--yes", "--follow",
        "--output", "json", "--temporal-address", temporal.address());

    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertEquals(RecoveryReport.SUCCEEDED, Json.MAPPER.readTree(run.out()).path("outcome").asText(), run.out());
    ReplicaPromotionRequest request = started(ReplicaPromotionRequest.class);
    assertNull(request.planOnly(), "null: recover, as every request before --plan");
    assertEquals("--yes", request.preApproval().reason());
  }

  @Test
  void aRestorePlanCarriesItsBackupAndPlanOnly() throws Exception {
    Path file = target(CliBadInputTest.VALID + "backups: {bucket: fabrica-agentes-backups, prefix: db/}\n");
    CliRun run = CliRun.of("restore", "--target", file.toString(), "--backup", "db/20261201T000000Z.manifest.json", "--plan",
        "--output", "json", "--temporal-address", temporal.address());

    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertEquals("planned", Json.MAPPER.readTree(run.out()).path("outcome").asText(), run.out());
    RestoreRequest request = started(RestoreRequest.class);
    assertEquals(Boolean.TRUE, request.planOnly());
    assertEquals("db/20261201T000000Z.manifest.json", request.backupKey());
  }

  @Test
  void jsonAskedInsideTheStartOptionsIsNeverColoured() throws Exception {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    Main.commandLine(out, new PrintWriter(new StringWriter()), true).execute("failover", "promote-replica",
        "--target", target(CliBadInputTest.VALID).toString(), "--plan", "--output", "json", "--temporal-address", temporal.address());

    assertFalse(Colours.of(out).outcome("failed", "x").contains("\u001B["), "--output json at a terminal: plain");
    assertFalse(text.toString().contains("\u001B["), text.toString());
  }

  /** The request the latest run of the database was started with, as Temporal keeps it. */
  private static <T> T started(Class<T> type) {
    Payloads input = temporal.client.fetchHistory(RUN).getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getInput();
    return temporal.client.getOptions().getDataConverter().fromPayloads(0, Optional.of(input), type, type);
  }

  /** A report that ends a stand-in run at once: planned when a plan was asked for, succeeded otherwise. */
  static RecoveryReport endedAtOnce(String scenario, DatabaseTarget target, Boolean planOnly) {
    return new RecoveryReport(scenario, target.name(), Workflow.getInfo().getWorkflowId(),
        Boolean.TRUE.equals(planOnly) ? RecoveryReport.PLANNED : RecoveryReport.SUCCEEDED, "stand-in run", null, null, null, null,
        List.of(), List.of(), null, null, List.of(), null, null);
  }

  /** What every recovery answers besides its start, for runs that end before anyone could ask. */
  abstract static class StandInRun {

    public void approve(ApprovalDecision decision) {}

    public void reject(ApprovalDecision decision) {}

    public ApprovalRecord decide(StepDecision decision) {
      throw new IllegalStateException("a stand-in run asks nothing");
    }

    public void validateDecide(StepDecision decision) {
      throw new IllegalArgumentException("a stand-in run asks nothing");
    }

    public ApprovalRecord abort(AbortRequest request) {
      throw new IllegalStateException("a stand-in run ends at once");
    }

    public void validateAbort(AbortRequest request) {
      throw new IllegalArgumentException("a stand-in run ends at once");
    }

    public RunStatus status() {
      return new RunStatus("stand-in", "fabrica-db", "diagnosing", null, null, List.of(), List.of(), List.of(), false, null, null);
    }
  }

  public static final class StandInFailover extends StandInRun implements ReplicaPromotionWorkflow {
    @Override
    public RecoveryReport promote(ReplicaPromotionRequest request) {
      return endedAtOnce(SCENARIO, request.target(), request.planOnly());
    }
  }

  public static final class StandInRestore extends StandInRun implements RestoreFromBackupWorkflow {
    @Override
    public RecoveryReport restore(RestoreRequest request) {
      return endedAtOnce(SCENARIO, request.target(), request.planOnly());
    }
  }
}
