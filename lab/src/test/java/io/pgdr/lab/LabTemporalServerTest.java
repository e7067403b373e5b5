package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.run.RunSearchAttributes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which Temporal the lab runs: the real server (the Temporal CLI's dev server) when the CLI is
 * found, with its Web UI, pgdr's search attributes and a history that survives a down/up keeping
 * the directory; else the Java test service, saying in one line what is missing.
 */
@org.junit.jupiter.api.Tag("real-servers")
class LabTemporalServerTest {

  private static final String TASK_QUEUE = "lab-history";

  @TempDir Path parent;
  @RegisterExtension final LabsTakenDown labs = new LabsTakenDown();

  @Test
  void theRealServerAnswersOnItsUiOnLoopbackAndKnowsPgdrsSearchAttributes() throws Exception {
    requireLabParts(true);
    Lab lab = labs.add(Lab.at(parent.resolve("lab")));
    List<String> progress = new ArrayList<>();

    LabStatus status = lab.up(progress::add);

    assertTrue(status.temporalServer().contains("server " + TemporalDevServer.SERVER_VERSION + ", UI " + TemporalDevServer.UI_VERSION),
        status.temporalServer());
    assertNull(status.temporalFallback());
    assertTrue(progress.contains(status.temporalServer() + ", Web UI " + status.temporalUi()), progress.toString());
    assertTrue(status.temporalAddress().startsWith("127.0.0.1:"), status.temporalAddress());
    assertTrue(status.temporalUi().startsWith("http://127.0.0.1:"), status.temporalUi());
    HttpResponse<String> ui = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(status.temporalUi())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ui.statusCode());
    assertTrue(ui.body().contains("<html"), "the Web UI's page: " + ui.body());
    assertTrue(Files.isRegularFile(Lab.temporalDatabase(lab.dir())), "its SQLite file in the lab directory");
    long pid = Long.parseLong(Files.readString(Path.of(Lab.temporalDatabase(lab.dir()) + ".pid")).trim());
    List<InetSocketAddress> listening = ListeningSockets.of(pid);
    assertFalse(listening.isEmpty());
    assertTrue(listening.stream().allMatch(address -> address.getAddress().isLoopbackAddress()), "loopback only: " + listening);

    Map<String, IndexedValueType> registered = operator(status, stubs -> stubs.blockingStub()
        .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(TemporalDevServer.NAMESPACE).build())
        .getCustomAttributesMap());
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      assertEquals(key.getValueType(), registered.get(key.getName()), key.getName() + " among " + registered);
    }
  }

  @Test
  void aDownUpKeepingTheDirectoryKeepsAFinishedRunsHistory() throws Exception {
    requireLabParts(true);
    Lab lab = labs.add(Lab.at(parent.resolve("lab")));
    LabStatus first = lab.up(message -> { });
    String workflowId = "lab-keeps-history-" + System.nanoTime();
    assertEquals("hello, history", withClient(first, client -> {
      WorkerFactory factory = WorkerFactory.newInstance(client);
      factory.newWorker(TASK_QUEUE).registerWorkflowImplementationTypes(GreetingImpl.class);
      factory.start();
      try {
        return client.newWorkflowStub(Greeting.class, WorkflowOptions.newBuilder().setTaskQueue(TASK_QUEUE)
            .setWorkflowId(workflowId).build()).greet("history");
      } finally {
        factory.shutdownNow();
      }
    }));

    assertTrue(lab.stop(message -> { }));
    assertTrue(Files.isDirectory(lab.dir()));
    assertTrue(lab.status().isEmpty());
    assertFalse(Files.exists(Path.of(Lab.temporalDatabase(lab.dir()) + ".pid")), "the server stopped with the lab");
    LabStatus second = lab.up(message -> { });

    assertNotEquals(first.daemonPid(), second.daemonPid(), "a new daemon");
    withClient(second, client -> {
      assertEquals(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, client.fetchHistory(workflowId).getLastEvent().getEventType());
      List<WorkflowExecutionInfo> found = client.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(
          ListWorkflowExecutionsRequest.newBuilder().setNamespace(TemporalDevServer.NAMESPACE)
              .setQuery("WorkflowId = '" + workflowId + "'").build()).getExecutionsList();
      assertEquals(1, found.size(), "the finished run, found by a visibility query after the restart: " + found);
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, found.get(0).getStatus());
      assertEquals("hello, history", client.newUntypedWorkflowStub(workflowId).getResult(String.class));
      return null;
    });
  }

  @Test
  void withoutTheTemporalCliTheLabFallsBackToTheJavaTestServiceAndSaysWhatIsMissing() throws Exception {
    requireLabParts(false);
    Path missing = parent.resolve("no-such-dir/temporal");
    Lab lab = labs.add(Lab.at(parent.resolve("lab")).withDaemonEnvironment(Map.of(TemporalDevServer.BINARY_ENV, missing.toString())));
    List<String> progress = new ArrayList<>();

    LabStatus status = lab.up(progress::add);

    assertEquals(LabStatus.JAVA_TEST_SERVICE, status.temporalServer());
    assertNull(status.temporalUi());
    String line = status.temporalFallback();
    assertNotNull(line);
    for (String said : List.of("Java test service", "Web UI", "Schedules", "list filters", missing.toString())) {
      assertTrue(line.contains(said), line);
    }
    assertFalse(line.contains("\n"), "one line: " + line);
    assertTrue(progress.contains(line), "lab up says it: " + progress);
    assertNotNull(withClient(status, client -> client.getWorkflowServiceStubs().blockingStub()
        .getSystemInfo(GetSystemInfoRequest.getDefaultInstance())), "the test service answers");
  }

  @WorkflowInterface
  public interface Greeting {
    @WorkflowMethod
    String greet(String name);
  }

  public static class GreetingImpl implements Greeting {
    @Override
    public String greet(String name) {
      return "hello, " + name;
    }
  }

  private static void requireLabParts(boolean realTemporal) {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), PostgresBinaries.INSTALL_HINT);
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    if (realTemporal) {
      RequiredComponent.require("the Temporal CLI " + TemporalDevServer.CLI_VERSION, TemporalDevServer.present(),
          TemporalDevServer.installHint());
    }
  }

  private static <T> T withClient(LabStatus status, Function<WorkflowClient, T> work) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(status.temporalAddress()).build());
    try {
      return work.apply(WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(TemporalDevServer.NAMESPACE).build()));
    } finally {
      stubs.shutdownNow();
    }
  }

  private static <T> T operator(LabStatus status, Function<OperatorServiceStubs, T> call) {
    OperatorServiceStubs stubs = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(status.temporalAddress()).validateAndBuildWithDefaults());
    try {
      return call.apply(stubs);
    } finally {
      stubs.shutdownNow();
    }
  }
}
