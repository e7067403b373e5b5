package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.target;
import static io.pgdr.failover.FailoverMocks.awaitApproval;
import static io.pgdr.failover.FailoverMocks.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryTestEnvironment;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.sdk.v1.WorkflowInteractionDefinition;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * What the Temporal UI shows of a run: its summary and details, search attributes that follow the
 * run, current details saying where it is and how to answer, described signals, updates and
 * queries, and named activities and timers.
 */
// its own test service and mocks, time skipped: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class RunShowsInTheTemporalUiTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RecoveryTestEnvironment.builder(ReplicaPromotionWorkflowImpl.class).build();

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private FailoverMocks mocks;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.client = client;
    mocks = new FailoverMocks(env, worker, client);
    env.start();
  }

  private ReplicaPromotionWorkflow start() {
    return mocks.start(target(), new ReplicaPromotionRequest(target(), null, "sre@example", null));
  }

  @Test
  void searchAttributesFollowThePhaseAndTheApprovalGate() throws Exception {
    ReplicaPromotionWorkflow run = start();
    awaitApproval(run);
    SearchAttributes waiting = describe().getTypedSearchAttributes();
    assertEquals("fabrica-db", waiting.get(RunSearchAttributes.DATABASE));
    assertEquals("ReplicaPromotion", waiting.get(RunSearchAttributes.SCENARIO));
    assertEquals("awaiting-approval", waiting.get(RunSearchAttributes.PHASE));
    assertTrue(waiting.get(RunSearchAttributes.APPROVAL_PENDING));
    assertFalse(waiting.get(RunSearchAttributes.RTO_BREACHED));

    run.approve(new ApprovalDecision("alice", "go", false));
    assertEquals(RecoveryReport.SUCCEEDED, result().outcome());
    SearchAttributes done = describe().getTypedSearchAttributes();
    assertEquals("succeeded", done.get(RunSearchAttributes.PHASE));
    assertFalse(done.get(RunSearchAttributes.APPROVAL_PENDING));
  }

  @Test
  void rtoBreachIsMarkedInTheSearchAttributes() throws Exception {
    DatabaseTarget patient = target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(2), List.of());
    ReplicaPromotionWorkflow run = mocks.start(patient, new ReplicaPromotionRequest(patient, null, "sre@example", null));
    awaitApproval(run);
    env.sleep(Duration.ofMinutes(65));
    awaitStatus(run, RunStatus::rtoBreached);

    assertTrue(describe().getTypedSearchAttributes().get(RunSearchAttributes.RTO_BREACHED));
  }

  @Test
  void runStartedWithoutSearchAttributesSetsItsOwn() throws Exception {
    // as the UI's start page starts it: workflow type, task queue, ID and the JSON input only
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId("recovery-fabrica-agentes.postgresql").setTaskQueue(mocks.taskQueue()).build());
    WorkflowClient.start(run::promote, new ReplicaPromotionRequest(target(), null, "ui", null));
    awaitApproval(run);

    SearchAttributes attributes = describe().getTypedSearchAttributes();
    assertEquals("fabrica-db", attributes.get(RunSearchAttributes.DATABASE));
    assertEquals("ReplicaPromotion", attributes.get(RunSearchAttributes.SCENARIO));
    assertEquals("awaiting-approval", attributes.get(RunSearchAttributes.PHASE));
  }

  @Test
  void summaryAndDetailsDescribeTheRunAndItsTarget() throws Exception {
    awaitApproval(start());
    WorkflowExecutionDescription description = describe();

    assertEquals("ReplicaPromotion of fabrica-db, incident from the run's start", description.getStaticSummary());
    String details = description.getStaticDetails();
    assertTrue(details.contains("namespace `fabrica-agentes`"), details);
    assertTrue(details.contains("apps restarted: fabrica-api, fabrica-workers"), details);
    assertTrue(details.contains("RTO PT1H, RPO PT1H"), details);
  }

  @Test
  void currentDetailsSayWhatTheRunWaitsForAndTheDialogsListWhatItAnswers() throws Exception {
    awaitApproval(start());
    WorkflowMetadata metadata = client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql")
        .query(WorkflowClient.QUERY_TYPE_WORKFLOW_METADATA, WorkflowMetadata.class);

    String details = metadata.getCurrentDetails();
    assertTrue(details.contains("**awaiting-approval**, step `approval`"), details);
    assertTrue(details.contains("**Approval pending**"), details);
    // in a code span, so that the UI prints straight quotes and the input copied from it is JSON
    assertTrue(details.contains("update `decide`, input `{\"step\": \"promote\", \"approve\": true, \"by\": \"...\", \"reason\": \"...\"}`"), details);
    assertTrue(details.contains("`diagnose` succeeded"), details);
    Map<String, String> signals = described(metadata.getDefinition().getSignalDefinitionsList());
    Map<String, String> updates = described(metadata.getDefinition().getUpdateDefinitionsList());
    Map<String, String> queries = described(metadata.getDefinition().getQueryDefinitionsList());
    assertEquals(List.of("approve", "reject"), signals.keySet().stream().sorted().toList());
    assertEquals(List.of("abort", "decide"), updates.keySet().stream().sorted().toList());
    assertTrue(signals.get("approve").contains("\"by\""), signals.toString());
    assertTrue(updates.get("decide").contains("checked at once"), updates.toString());
    assertTrue(updates.get("abort").contains("before its first destructive step"), updates.toString());
    assertTrue(queries.get("status").contains("timeline"), queries.toString());
  }

  @Test
  void aFinishedRunsDetailsShowItsScenariosResultAndWhatItLeft() throws Exception {
    ReplicaPromotionWorkflow run = start();
    awaitApproval(run);
    run.approve(new ApprovalDecision("alice", "primary gone", false));
    client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
    WorkflowMetadata metadata = client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql")
        .query(WorkflowClient.QUERY_TYPE_WORKFLOW_METADATA, WorkflowMetadata.class);

    String details = metadata.getCurrentDetails();
    assertTrue(details.contains("| new primary | postgresql-1 |"), details);
    assertTrue(details.contains("| old primary | postgresql-0 |"), details);
    assertTrue(details.contains("- changed `fence` (made): postgresql-0 stays fenced"), details);
  }

  @Test
  void activitiesAndTimersCarrySummaries() throws Exception {
    ReplicaPromotionWorkflow run = start();
    awaitApproval(run);
    run.approve(new ApprovalDecision("alice", "go", false));
    result();

    List<String> summaries = client.fetchHistory("recovery-fabrica-agentes.postgresql").getEvents().stream()
        .filter(e -> e.hasUserMetadata() && e.getUserMetadata().hasSummary())
        .map(RunShowsInTheTemporalUiTest::summary)
        .toList();
    assertTrue(summaries.contains("promote postgresql-1"), summaries.toString());
    assertTrue(summaries.contains("verify postgresql-1"), summaries.toString());
    assertTrue(summaries.contains("rollout restart fabrica-api, fabrica-workers"), summaries.toString());
    assertTrue(summaries.contains("RTO 50% warning"), summaries.toString());
    assertTrue(summaries.contains("RTO 80% warning"), summaries.toString());
    assertTrue(summaries.contains("RTO breach (1h)"), summaries.toString());
    assertTrue(summaries.contains("approval timeout (PT15M)"), summaries.toString());
  }

  private static String summary(HistoryEvent event) {
    Payload payload = event.getUserMetadata().getSummary();
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
  }

  private static Map<String, String> described(List<WorkflowInteractionDefinition> definitions) {
    return definitions.stream().filter(d -> !d.getName().startsWith("__"))
        .collect(Collectors.toMap(WorkflowInteractionDefinition::getName, WorkflowInteractionDefinition::getDescription));
  }

  private WorkflowExecutionDescription describe() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").describe();
  }

  private RecoveryReport result() {
    return client.newUntypedWorkflowStub("recovery-fabrica-agentes.postgresql").getResult(RecoveryReport.class);
  }
}
