package io.pgdr.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Temporal server with one worker, for the tests of one class (a static
 * {@code @RegisterExtension} field): started before the class's {@code @BeforeAll}, stopped after
 * its {@code @AfterAll}, its SQLite file and log in a directory of its own. Without the Temporal CLI
 * nothing starts ({@link #started()} is false) and each test is skipped saying why, or fails with
 * {@code CI=true}.
 */
final class DevServerWithWorker implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private final String taskQueue;
  private final Consumer<Worker> register;
  private Path dir;
  private TemporalWithWorker temporal;

  DevServerWithWorker(String taskQueue, Consumer<Worker> register) {
    this.taskQueue = taskQueue;
    this.register = register;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (TemporalWithWorker.devServerPresent()) {
      dir = Files.createTempDirectory("pgdr-temporal-");
      temporal = TemporalWithWorker.onDevServer(dir, taskQueue, register);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    TemporalWithWorker.requireDevServer();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (temporal != null) {
      temporal.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  boolean started() {
    return temporal != null;
  }

  WorkflowClient client() {
    return temporal.client;
  }

  String address() {
    return temporal.address();
  }
}
