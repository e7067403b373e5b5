package io.pgdr.cli;

import io.pgdr.worker.EmbeddedTemporal;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** An embedded Temporal service with one worker polling a task queue, for tests that drive runs through the CLI. */
final class TemporalWithWorker implements AutoCloseable {

  private final EmbeddedTemporal temporal;
  private final TemporalConnection connection;
  private final WorkerFactory workers;
  final WorkflowClient client;

  private TemporalWithWorker(String taskQueue, Consumer<Worker> register) {
    temporal = EmbeddedTemporal.start(0);
    connection = new TemporalConnection(temporal.address(), TemporalConnection.DEFAULT_NAMESPACE);
    client = connection.client();
    workers = WorkerFactory.newInstance(client);
    register.accept(workers.newWorker(taskQueue));
    workers.start();
  }

  /** @param register registers the worker's workflow and activity implementations */
  static TemporalWithWorker start(String taskQueue, Consumer<Worker> register) {
    return new TemporalWithWorker(taskQueue, register);
  }

  String address() {
    return temporal.address();
  }

  @Override
  public void close() throws InterruptedException {
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
    client.getWorkflowServiceStubs().shutdownNow(); // ends a status query that no worker will answer
    connection.close();
    temporal.close();
  }
}
