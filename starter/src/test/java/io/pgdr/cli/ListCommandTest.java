package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pgdr list} against the embedded service, which has no list queries (ListOnTheRealServerTest
 * runs the list queries on the real server): one run still open
 * (no worker polls its queue), two that a worker ended as failed (their targets are not valid, so
 * they end before touching anything). Filters, JSON, bad input and no service.
 */
@org.junit.jupiter.api.Tag("real-servers")
class ListCommandTest {

  static TemporalWithWorker temporal;

  @BeforeAll
  static void threeRuns() throws InterruptedException {
    temporal = TemporalWithWorker.start(TaskQueues.PGDR, worker ->
        worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class, RestoreFromBackupWorkflowImpl.class));
    WorkflowClient client = temporal.client;

    DatabaseTarget alpha = target("alpha", "fabrica-agentes");
    ReplicaPromotionWorkflow open = client.newWorkflowStub(ReplicaPromotionWorkflow.class, WorkflowOptions.newBuilder(
        RecoveryOptions.forTarget(alpha, ReplicaPromotionWorkflow.SCENARIO)).setTaskQueue("no-worker-polls-this").build());
    WorkflowClient.start(open::promote, new ReplicaPromotionRequest(alpha, null, "test", null));

    DatabaseTarget beta = target("beta", "fabrica-agentes"); // no backups: a restore refuses it
    RestoreFromBackupWorkflow restore = client.newWorkflowStub(RestoreFromBackupWorkflow.class,
        RecoveryOptions.forTarget(beta, RestoreFromBackupWorkflow.SCENARIO));
    WorkflowClient.start(restore::restore, new RestoreRequest(beta, null, "test", null, null));

    DatabaseTarget gamma = target("gamma", "Not_A_Namespace");
    ReplicaPromotionWorkflow failover = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        RecoveryOptions.forTarget(gamma, ReplicaPromotionWorkflow.SCENARIO, Instant.parse("2026-01-01T00:00:00Z")));
    WorkflowClient.start(failover::promote, new ReplicaPromotionRequest(gamma, Instant.parse("2026-01-01T00:00:00Z"), "test", null));

    awaitClosed(client, "recovery-fabrica-agentes.beta");
    awaitClosed(client, "recovery-Not_A_Namespace.gamma");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    temporal.close();
  }

  static DatabaseTarget target(String name, String namespace) {
    return new DatabaseTarget(name, namespace, name, "postgresql", List.of(), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        null, null, null, null, null, null, null, null);
  }

  static void awaitClosed(WorkflowClient client, String workflowId) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (client.newUntypedWorkflowStub(workflowId).describe().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(workflowId + " never ended");
  }

  private static CliRun list(String... options) {
    List<String> args = new ArrayList<>(List.of("list", "--temporal-address", temporal.address()));
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void listsEveryRecoveryRunWithItsScenarioStatusAndPhase() {
    CliRun run = list();

    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.get(0).startsWith("RUN "), run.out());
    assertEquals(4, lines.size(), run.out());
    String alpha = line(lines, "recovery-fabrica-agentes.alpha");
    assertTrue(alpha.matches("recovery-fabrica-agentes.alpha +ReplicaPromotion +alpha +running +diagnosing +\\S+ +-"), alpha);
    String beta = line(lines, "recovery-fabrica-agentes.beta");
    assertTrue(beta.matches("recovery-fabrica-agentes.beta +RestoreFromBackup +beta +failed +failed +\\S+ +\\S+"), beta);
    assertTrue(line(lines, "recovery-Not_A_Namespace.gamma").contains(" failed "), run.out());
  }

  @Test
  void runningKeepsOnlyOpenRuns() {
    CliRun run = list("--running");

    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertTrue(run.out().contains("recovery-fabrica-agentes.alpha"), run.out());
    assertFalse(run.out().contains("recovery-fabrica-agentes.beta"), run.out());
    assertFalse(run.out().contains("recovery-Not_A_Namespace.gamma"), run.out());
  }

  @Test
  void scenarioAndDatabaseFilter() {
    CliRun failovers = list("--scenario", "ReplicaPromotion");
    assertTrue(failovers.out().contains("recovery-fabrica-agentes.alpha") && failovers.out().contains("recovery-Not_A_Namespace.gamma"), failovers.out());
    assertFalse(failovers.out().contains("recovery-fabrica-agentes.beta"), failovers.out());

    CliRun nothing = list("--database", "beta", "--running");
    assertEquals(ExitCodes.OK, nothing.exitCode(), nothing.toString());
    assertEquals("no recovery runs match", nothing.out().strip());
  }

  @Test
  void phaseAndApprovalFiltersWithoutListQueries() {
    CliRun failed = list("--phase", "failed");
    assertTrue(failed.out().contains("recovery-fabrica-agentes.beta") && failed.out().contains("recovery-Not_A_Namespace.gamma"), failed.out());
    assertFalse(failed.out().contains("recovery-fabrica-agentes.alpha"), failed.out());

    CliRun waiting = list("--awaiting-approval"); // alpha is open but no worker ran it: it asks nobody yet
    assertEquals(ExitCodes.OK, waiting.exitCode(), waiting.toString());
    assertEquals("no recovery runs match", waiting.out().strip());
  }

  @Test
  void jsonHasOneObjectPerRun() throws Exception {
    CliRun run = list("--database", "beta", "--output", "json");

    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    JsonNode runs = Json.MAPPER.readTree(run.out());
    assertEquals(1, runs.size(), run.out());
    JsonNode beta = runs.get(0);
    assertEquals("recovery-fabrica-agentes.beta", beta.path("workflowId").asText());
    assertEquals("RestoreFromBackup", beta.path("scenario").asText());
    assertEquals("failed", beta.path("status").asText());
    assertEquals("failed", beta.path("phase").asText());
    assertFalse(beta.path("rtoBreached").asBoolean(true));
    assertTrue(Instant.parse(beta.path("closed").asText()).isAfter(Instant.parse(beta.path("started").asText()).minus(Duration.ofSeconds(1))));
  }

  @Test
  void aNameThatCouldBreakTheQueryIsBadInput() {
    CliRun run = list("--database", "x' OR PgdrDatabase != '");

    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("is not a database, scenario or phase name"), run.err());
    assertEquals(ExitCodes.BAD_INPUT, list("--phase", "failed' OR PgdrPhase != '").exitCode());
  }

  @Test
  void noTemporalServiceIsUnavailable() {
    CliRun run = CliRun.of("list", "--temporal-address", "127.0.0.1:1");

    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("no Temporal service answers"), run.err());
  }

  @Test
  void theListQueryFiltersOnPgdrsSearchAttributes() {
    assertEquals("(WorkflowId STARTS_WITH 'recovery-' OR WorkflowId STARTS_WITH 'incident-' OR WorkflowId STARTS_WITH 'drill-' OR WorkflowId STARTS_WITH 'rejoin-') AND PgdrDatabase = 'fabrica-db' AND PgdrScenario = 'ReplicaPromotion'"
        + " AND ExecutionStatus = 'Running'", new RunListing.Filter("fabrica-db", "ReplicaPromotion", true).query());
    assertEquals("(WorkflowId STARTS_WITH 'recovery-' OR WorkflowId STARTS_WITH 'incident-' OR WorkflowId STARTS_WITH 'drill-' OR WorkflowId STARTS_WITH 'rejoin-')", new RunListing.Filter(null, null, false).query());
    assertEquals("(WorkflowId STARTS_WITH 'recovery-' OR WorkflowId STARTS_WITH 'incident-' OR WorkflowId STARTS_WITH 'drill-' OR WorkflowId STARTS_WITH 'rejoin-') AND PgdrPhase = 'succeeded' AND ExecutionStatus = 'Running'"
        + " AND PgdrApprovalPending = true AND PgdrRtoBreached = true",
        new RunListing.Filter(null, null, "succeeded", false, true, true).query());
  }

  private static String line(List<String> lines, String workflowId) {
    return lines.stream().filter(l -> l.startsWith(workflowId + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + workflowId + " in " + lines));
  }
}
