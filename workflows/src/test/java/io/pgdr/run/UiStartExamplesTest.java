package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.pgdr.drill.FailoverDrillRequest;
import io.pgdr.drill.FailoverDrillWorkflow;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.patroni.PatroniFailoverRequest;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.pitr.PitrRequest;
import io.pgdr.incident.IncidentRequest;
import io.pgdr.incident.IncidentWorkflow;
import io.pgdr.outage.TransientOutageRequest;
import io.pgdr.outage.TransientOutageWorkflow;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import io.pgdr.pool.PoolRecoveryRequest;
import io.pgdr.pitr.PointInTimeRecoveryWorkflow;
import io.pgdr.rejoin.RejoinRequest;
import io.pgdr.rejoin.RejoinWorkflow;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each ready input under docs/ui-start-examples/ is what the UI's Start Workflow page sends: read
 * by the SDK's default JSON converter (as a worker reads it) into the scenario's request, with a
 * valid target, the pgdr task queue and the workflow ID the CLI would use.
 */
class UiStartExamplesTest {

  private static final Path EXAMPLES = Path.of("..", "docs", "ui-start-examples");

  /** Every scenario's request type and how to find its target. */
  private static final Map<String, Scenario<?>> SCENARIOS = Map.of(
      FailoverDrillWorkflow.SCENARIO, new Scenario<>(FailoverDrillRequest.class, FailoverDrillRequest::target),
      ReplicaPromotionWorkflow.SCENARIO, new Scenario<>(ReplicaPromotionRequest.class, ReplicaPromotionRequest::target),
      RestoreFromBackupWorkflow.SCENARIO, new Scenario<>(RestoreRequest.class, RestoreRequest::target),
      PointInTimeRecoveryWorkflow.SCENARIO, new Scenario<>(PitrRequest.class, PitrRequest::target),
      PatroniFailoverWorkflow.SCENARIO, new Scenario<>(PatroniFailoverRequest.class, PatroniFailoverRequest::target),
      ConnectionPoolRecoveryWorkflow.SCENARIO, new Scenario<>(PoolRecoveryRequest.class, PoolRecoveryRequest::target),
      TransientOutageWorkflow.SCENARIO, new Scenario<>(TransientOutageRequest.class, TransientOutageRequest::target),
      IncidentWorkflow.SCENARIO, new Scenario<>(IncidentRequest.class, IncidentRequest::target),
      RejoinWorkflow.SCENARIO, new Scenario<>(RejoinRequest.class, RejoinRequest::target));

  record Scenario<T>(Class<T> requestType, Function<T, DatabaseTarget> target) {
    DatabaseTarget targetOf(Object request) {
      return target.apply(requestType.cast(request));
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @Test
  void everyScenarioHasAnExample() {
    for (String scenario : SCENARIOS.keySet()) {
      assertEquals(true, Files.isRegularFile(EXAMPLES.resolve(scenario + ".json")), "missing example for " + scenario);
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleStartsItsScenarioWithAValidTarget(Path file) throws IOException {
    JsonNode example = new ObjectMapper().readTree(file.toFile());
    String workflowType = example.path("workflowType").asText();
    Scenario<?> scenario = SCENARIOS.get(workflowType);
    assertNotNull(scenario, file + ": unknown workflow type " + workflowType);
    assertEquals(workflowType + ".json", file.getFileName().toString());
    assertEquals(TaskQueues.PGDR, example.path("taskQueue").asText());

    Payload input = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(example.path("input").toString()))
        .build();
    Object request = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(input, scenario.requestType(), scenario.requestType());

    DatabaseTarget target = scenario.targetOf(request);
    assertEquals(List.of(), target.problems(), file + ": the target is not valid");
    assertEquals(IncidentWorkflow.SCENARIO.equals(workflowType) ? target.incidentWorkflowId()
        : FailoverDrillWorkflow.SCENARIO.equals(workflowType) ? target.drillWorkflowId()
        : RejoinWorkflow.SCENARIO.equals(workflowType) ? target.rejoinWorkflowId() : target.recoveryWorkflowId(),
        example.path("workflowId").asText());
  }
}
