package io.pgdr.cli;

import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.TemporalDevServer;
import io.pgdr.worker.EmbeddedTemporal;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Temporal service with one worker polling a task queue, for tests that drive runs through the
 * CLI: the embedded test service, or the real server (the Temporal CLI's dev server) where a test
 * needs what only it has: list queries on search attributes, Schedules.
 */
final class TemporalWithWorker implements AutoCloseable {

  private final Runnable stopService;
  private final String address;
  private final TemporalConnection connection;
  private final WorkerFactory workers;
  final WorkflowClient client;

  private TemporalWithWorker(Runnable stopService, String address, String taskQueue, Consumer<Worker> register) {
    this.stopService = stopService;
    this.address = address;
    connection = new TemporalConnection(address, TemporalConnection.DEFAULT_NAMESPACE);
    client = connection.client();
    workers = WorkerFactory.newInstance(client);
    register.accept(workers.newWorker(taskQueue));
    workers.start();
  }

  /** On the embedded test service. @param register registers the worker's workflow and activity implementations */
  static TemporalWithWorker start(String taskQueue, Consumer<Worker> register) {
    EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
    return new TemporalWithWorker(temporal::close, temporal.address(), taskQueue, register);
  }

  /** Whether the Temporal CLI that runs the real server is here. */
  static boolean devServerPresent() {
    return TemporalDevServer.binary().isPresent();
  }

  /**
   * Skips the test when the Temporal CLI is missing, or fails it with {@code CI=true}. Called before
   * each test (a skip in {@code @BeforeAll} shows in no report), so the message is seen.
   */
  static void requireDevServer() {
    RequiredComponent.require("the Temporal CLI " + TemporalDevServer.CLI_VERSION + " (the real server)", devServerPresent(),
        "scripts/temporal-cli builds it into " + TemporalDevServer.cachedBinary() + "; or set " + TemporalDevServer.BINARY_ENV);
  }

  /** On the real Temporal server, its SQLite file and log in {@code dir}, pgdr's search attributes registered. */
  static TemporalWithWorker onDevServer(Path dir, String taskQueue, Consumer<Worker> register) {
    requireDevServer();
    TemporalDevServer server = TemporalDevServer.start(TemporalDevServer.binary().orElseThrow(), dir.resolve("temporal.sqlite"),
        dir.resolve("temporal.log"));
    try {
      return new TemporalWithWorker(server::close, server.address(), taskQueue, register);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  String address() {
    return address;
  }

  @Override
  public void close() throws InterruptedException {
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
    client.getWorkflowServiceStubs().shutdownNow(); // ends a status query that no worker will answer
    connection.close();
    stopService.run();
  }
}
