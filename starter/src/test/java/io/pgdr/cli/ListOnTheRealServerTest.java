package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RunStatus;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code pgdr list} on the real Temporal server, whose visibility answers list queries on pgdr's
 * search attributes (the embedded service has none: ListCommandTest covers it). Seven runs with
 * known attributes: each filter of {@code pgdr list}, its list query as the server answers it
 * ({@code ListWorkflowExecutions}, {@code CountWorkflowExecutions}), and the filters docs/ui.md
 * gives for the UI's run list select exactly the runs whose attributes say so. Visibility is
 * eventually consistent, so each answer is awaited briefly.
 */
@org.junit.jupiter.api.Tag("real-servers")
class ListOnTheRealServerTest {

  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(15);
  private static final ApprovalDecision YES = new ApprovalDecision("alice", "--yes", false);

  @RegisterExtension
  static final DevServerWithWorker server = new DevServerWithWorker(TaskQueues.PGDR, worker -> {
    worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class, RestoreFromBackupWorkflowImpl.class);
    worker.registerActivitiesImplementations(new UiDecisionsFromTheCliTest.StandInCluster());
  });
  static WorkflowClient client;
  static Instant before;
  /** Run name to run ID; "delta" is fabrica-db's first run, "delta2" its second. */
  static final Map<String, String> runs = new LinkedHashMap<>();

  @BeforeAll
  static void sevenRuns() throws InterruptedException {
    if (!server.started()) {
      return; // each test is skipped, or fails on CI
    }
    client = server.client();
    before = Instant.now().minusSeconds(1);
    Instant now = Instant.now();

    // alpha: a failover waiting for its approval
    DatabaseTarget alpha = ListCommandTest.target("alpha", "fabrica-agentes");
    runs.put("alpha", failover(alpha, null, null).getRunId());
    // beta: a restore of a target with no backups, refused: failed
    DatabaseTarget beta = ListCommandTest.target("beta", "fabrica-agentes");
    RestoreFromBackupWorkflow restore = client.newWorkflowStub(RestoreFromBackupWorkflow.class,
        RecoveryOptions.forTarget(beta, RestoreFromBackupWorkflow.SCENARIO));
    runs.put("beta", WorkflowClient.start(restore::restore, new RestoreRequest(beta, null, "test", null, null)).getRunId());
    // gamma: approved up front, two hours after its incident (RTO 1 h): succeeded, RTO breached
    DatabaseTarget gamma = ListCommandTest.target("gamma", "fabrica-agentes");
    runs.put("gamma", failover(gamma, now.minus(Duration.ofHours(2)), YES).getRunId());
    // fabrica-db: approved up front in time (succeeded), then a second run, late, waiting for its approval
    DatabaseTarget fabrica = ListCommandTest.target("fabrica-db", "fabrica-agentes");
    runs.put("delta", failover(fabrica, null, YES).getRunId());
    // epsilon: no worker polls its queue, so it stays in its first phase
    DatabaseTarget epsilon = ListCommandTest.target("epsilon", "fabrica-agentes");
    ReplicaPromotionWorkflow unpolled = client.newWorkflowStub(ReplicaPromotionWorkflow.class, WorkflowOptions.newBuilder(
        RecoveryOptions.forTarget(epsilon, ReplicaPromotionWorkflow.SCENARIO)).setTaskQueue("no-worker-polls-this").build());
    runs.put("epsilon", WorkflowClient.start(unpolled::promote, new ReplicaPromotionRequest(epsilon, null, "test", null)).getRunId());
    // not a recovery's workflow ID: it carries pgdr's attributes (it refuses to run) but pgdr list leaves it out
    DatabaseTarget zeta = ListCommandTest.target("zeta", "fabrica-agentes");
    ReplicaPromotionWorkflow outsider = client.newWorkflowStub(ReplicaPromotionWorkflow.class, WorkflowOptions.newBuilder(
        RecoveryOptions.forTarget(zeta, ReplicaPromotionWorkflow.SCENARIO)).setWorkflowId("nightly-job-fabrica-agentes.zeta").build());
    runs.put("zeta", WorkflowClient.start(outsider::promote, new ReplicaPromotionRequest(zeta, null, "test", null)).getRunId());

    awaitClosed(fabrica.recoveryWorkflowId());
    runs.put("delta2", failover(fabrica, now.minus(Duration.ofHours(3)), null).getRunId());
    for (String waiting : List.of(alpha.recoveryWorkflowId(), fabrica.recoveryWorkflowId())) {
      awaitApprovalAsked(waiting);
    }
    for (String ending : List.of(beta.recoveryWorkflowId(), gamma.recoveryWorkflowId(), "nightly-job-fabrica-agentes.zeta")) {
      awaitClosed(ending);
    }
    // the two failovers that succeeded offered a rejoin of the pod they fenced: runs of their own, listed too (no worker here
    // runs them, so they stay running in their first phase)
    runs.put("gamma-rejoin", client.newUntypedWorkflowStub(gamma.rejoinWorkflowId()).describe().getExecution().getRunId());
    runs.put("delta-rejoin", client.newUntypedWorkflowStub(fabrica.rejoinWorkflowId()).describe().getExecution().getRunId());
  }

  private static io.temporal.api.common.v1.WorkflowExecution failover(DatabaseTarget target, Instant incidentStart, ApprovalDecision yes) {
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO, incidentStart));
    return WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target, incidentStart, "test", yes));
  }

  private static void awaitClosed(String workflowId) throws InterruptedException {
    await(workflowId + " ended", () -> client.newUntypedWorkflowStub(workflowId).describe().getStatus()
        != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
  }

  private static void awaitApprovalAsked(String workflowId) throws InterruptedException {
    WorkflowStub run = client.newUntypedWorkflowStub(workflowId);
    await(workflowId + " asked for approval", () -> run.query("status", RunStatus.class).pendingApproval() != null);
  }

  private static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.get()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("never: " + what);
      }
      Thread.sleep(50);
    }
  }

  /** The answer once it is the expected one, or the last one after {@link #VISIBLE_WITHIN}: visibility lags a little. */
  private static <T> T eventually(T expected, Supplier<T> answer) throws InterruptedException {
    Instant deadline = Instant.now().plus(VISIBLE_WITHIN);
    T last = answer.get();
    while (!last.equals(expected) && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      last = answer.get();
    }
    return last;
  }

  private static Set<String> named(String... names) {
    return Stream.of(names).map(runs::get).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The runs {@code pgdr list --output json} with these options shows, by run ID. */
  private static Set<String> listed(String... options) {
    List<String> args = new ArrayList<>(List.of("list", "--temporal-address", server.address(), "--output", "json"));
    args.addAll(List.of(options));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    try {
      Set<String> ids = new TreeSet<>();
      for (JsonNode row : Json.MAPPER.readTree(run.out())) {
        ids.add(row.path("runId").asText());
      }
      return ids;
    } catch (java.io.IOException e) {
      throw new AssertionError(run.toString(), e);
    }
  }

  /** The runs the server's visibility selects for a list query, by run ID. */
  private static Set<String> selected(String query) {
    return client.listExecutions(query).map(run -> run.getExecution().getRunId()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static String names(Set<String> runIds) {
    return runs.entrySet().stream().filter(run -> runIds.contains(run.getValue())).map(Map.Entry::getKey).toList()
        + (runIds.stream().allMatch(runs::containsValue) ? "" : " and unknown runs " + runIds);
  }

  /** pgdr list with {@code options} and the server's answer to its list query both select exactly {@code expected}. */
  private static void filterSelects(RunListing.Filter filter, List<String> options, Set<String> expected) throws InterruptedException {
    Set<String> listed = eventually(expected, () -> listed(options.toArray(String[]::new)));
    assertEquals(names(expected), names(listed), "pgdr list " + String.join(" ", options));
    String query = filter.query();
    assertEquals(names(expected), names(selected(query)), query);
    assertEquals(expected.size(), client.countWorkflows(query).getCount(), "CountWorkflowExecutions: " + query);
  }

  @Test
  void eachFilterOfPgdrListSelectsTheRunsItsSearchAttributesName() throws InterruptedException {
    filterSelects(new RunListing.Filter(null, null, false), List.of(), named("alpha", "beta", "gamma", "delta", "delta2", "epsilon",
        "gamma-rejoin", "delta-rejoin"));
    filterSelects(new RunListing.Filter("fabrica-db", null, false), List.of("--database", "fabrica-db"), named("delta", "delta2",
        "delta-rejoin"));
    filterSelects(new RunListing.Filter(null, "RestoreFromBackup", false), List.of("--scenario", "RestoreFromBackup"), named("beta"));
    filterSelects(new RunListing.Filter(null, null, "succeeded", false, false, false), List.of("--phase", "succeeded"),
        named("gamma", "delta"));
    filterSelects(new RunListing.Filter(null, null, "failed", false, false, false), List.of("--phase", "failed"), named("beta"));
    filterSelects(new RunListing.Filter(null, null, true), List.of("--running"), named("alpha", "delta2", "epsilon", "gamma-rejoin",
        "delta-rejoin"));
    filterSelects(new RunListing.Filter(null, "Rejoin", false), List.of("--scenario", "Rejoin"), named("gamma-rejoin", "delta-rejoin"));
    filterSelects(new RunListing.Filter(null, null, null, false, true, false), List.of("--awaiting-approval"), named("alpha", "delta2"));
    filterSelects(new RunListing.Filter(null, null, null, false, false, true), List.of("--rto-breached"), named("gamma", "delta2"));
    filterSelects(new RunListing.Filter(null, "ReplicaPromotion", null, true, false, true),
        List.of("--scenario", "ReplicaPromotion", "--running", "--rto-breached"), named("delta2"));
    filterSelects(new RunListing.Filter("zeta", null, false), List.of("--database", "zeta"), Set.of());
  }

  @Test
  void theTableMarksTheBreachedRunsAndSaysWhenNothingMatches() throws InterruptedException {
    eventually(named("gamma", "delta2"), () -> listed("--rto-breached"));
    CliRun breached = CliRun.of("list", "--rto-breached", "--temporal-address", server.address());

    assertEquals(ExitCodes.OK, breached.exitCode(), breached.toString());
    List<String> lines = breached.out().lines().toList();
    assertEquals(3, lines.size(), breached.out());
    assertTrue(lines.get(1).matches("recovery-fabrica-agentes.fabrica-db +ReplicaPromotion +fabrica-db +running +awaiting-approval .*  RTO BREACHED"),
        "newest first: " + lines.get(1));
    assertTrue(lines.get(2).matches("recovery-fabrica-agentes.gamma +ReplicaPromotion +gamma +completed +succeeded .*  RTO BREACHED"), lines.get(2));

    CliRun none = CliRun.of("list", "--scenario", "FailoverDrill", "--temporal-address", server.address());
    assertEquals(ExitCodes.OK, none.exitCode(), none.toString());
    assertEquals("no recovery runs match", none.out().strip());
  }

  /** The filters docs/ui.md gives for the UI's run list, as written there, answered by the server. */
  @Test
  void theUiFiltersTheDocsGiveSelectTheRunsTheySayTheyDo() throws Exception {
    String docs = Files.readString(PgdrProcess.ROOT.resolve("docs/ui.md"));
    Map<String, Set<String>> filters = new LinkedHashMap<>();
    filters.put("ExecutionStatus = 'Running' AND PgdrPhase NOT IN ('succeeded', 'failed', 'aborted')", named("alpha", "delta2", "epsilon",
        "gamma-rejoin", "delta-rejoin"));
    filters.put("ExecutionStatus = 'Running' AND PgdrApprovalPending = true", named("alpha", "delta2"));
    filters.put("PgdrScenario = 'FailoverDrill' AND PgdrRtoBreached = true AND StartTime >= '2026-10-01T00:00:00Z'"
        + " AND StartTime < '2027-01-01T00:00:00Z'", Set.of());
    filters.put("PgdrRtoBreached = true AND StartTime >= '2026-10-01T00:00:00Z' AND StartTime < '2027-01-01T00:00:00Z'",
        named("gamma", "delta2"));
    filters.put("PgdrDatabase = 'fabrica-db'", named("delta", "delta2", "delta-rejoin"));
    for (Map.Entry<String, Set<String>> filter : filters.entrySet()) {
      assertTrue(docs.contains(filter.getKey()), "docs/ui.md no longer gives " + filter.getKey());
      // the docs' quarter, moved to a window around these runs
      String query = filter.getKey().replace("'2026-10-01T00:00:00Z'", "'" + before + "'")
          .replace("'2027-01-01T00:00:00Z'", "'" + Instant.now().plusSeconds(60) + "'");
      assertEquals(names(filter.getValue()), names(eventually(filter.getValue(), () -> selected(query))), query);
    }
  }
}
