package io.pgdr.lab;

import io.pgdr.run.RunSearchAttributes;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real Temporal server, as the Temporal CLI's {@code temporal server start-dev} runs it:
 * frontend, history and matching services, SQLite persistence, visibility queries, Schedules and
 * the Web UI, in a process of its own, on loopback only. pgdr's search attributes are registered
 * before anyone can start a run. The SQLite file is the caller's: a server started again on the
 * same file finds its history.
 */
public final class TemporalDevServer implements AutoCloseable {

  /** The version pinned by {@code scripts/temporal-cli}, which builds it into {@link #cachedBinary()}. */
  public static final String CLI_VERSION = "v1.5.1";
  /** Where pgdr finds the Temporal CLI when it is neither in the cache nor on PATH. */
  public static final String BINARY_ENV = "PGDR_TEMPORAL_CLI";
  public static final String NAMESPACE = "default";

  private static final Duration READY_WITHIN = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final int uiPort;

  private TemporalDevServer(Process process, int port, int uiPort) {
    this.process = process;
    this.port = port;
    this.uiPort = uiPort;
  }

  /**
   * The Temporal CLI to run: {@code $PGDR_TEMPORAL_CLI}, else the one {@code scripts/temporal-cli}
   * built into pgdr's cache, else {@code temporal} on PATH; empty when there is none.
   */
  public static Optional<Path> binary() {
    String given = System.getenv(BINARY_ENV);
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    Path cached = cachedBinary();
    if (Files.isExecutable(cached)) {
      return Optional.of(cached);
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable != null) {
      for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir, "temporal");
        if (!dir.isEmpty() && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** {@code ${PGDR_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/pgdr}/temporal-cli-<version>/temporal}, as scripts/temporal-cli builds it. */
  public static Path cachedBinary() {
    String pgdrCache = System.getenv("PGDR_CACHE_DIR");
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = pgdrCache != null && !pgdrCache.isBlank() ? Path.of(pgdrCache)
        : (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("pgdr");
    return cache.resolve("temporal-cli-" + CLI_VERSION).resolve("temporal");
  }

  /**
   * Starts the server on free loopback ports and waits until it answers with pgdr's search
   * attributes registered.
   *
   * @param database the SQLite file (created when missing, kept afterwards)
   * @param log where the server's output goes
   */
  public static TemporalDevServer start(Path binary, Path database, Path log) {
    int port = PostgresPair.freePort();
    int uiPort = PostgresPair.freePort();
    List<String> command = new ArrayList<>(List.of(binary.toString(), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", Integer.toString(port), "--ui-port", Integer.toString(uiPort),
        // the HTTP API and metrics would otherwise take fixed ports beside the frontend's
        "--http-port", Integer.toString(PostgresPair.freePort()), "--metrics-port", Integer.toString(PostgresPair.freePort()),
        "--db-filename", database.toString(), "--log-level", "warn"));
    try {
      Files.createDirectories(database.toAbsolutePath().getParent());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      TemporalDevServer server = new TemporalDevServer(process, port, uiPort);
      try {
        server.awaitReady(log);
        RunSearchAttributes.registerAt(server.address(), NAMESPACE);
        return server;
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    } catch (IOException e) {
      throw new LabException("could not start the Temporal server " + binary + ": " + e.getMessage());
    }
  }

  private void awaitReady(Path log) {
    Instant deadline = Instant.now().plus(READY_WITHIN);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(address()).setRpcTimeout(Duration.ofSeconds(2)).build());
    try {
      while (true) {
        if (!process.isAlive()) {
          throw new LabException("the Temporal server exited with " + process.exitValue() + " before answering; see " + log);
        }
        try {
          stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build());
          return;
        } catch (RuntimeException notYet) {
          if (Instant.now().isAfter(deadline)) {
            throw new LabException("the Temporal server did not answer at " + address() + " within " + READY_WITHIN.toSeconds()
                + " s; see " + log);
          }
          sleep(200);
        }
      }
    } finally {
      stubs.shutdownNow();
    }
  }

  /** The frontend, {@code host:port}, for workers and clients. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The Web UI. */
  public String uiUrl() {
    return "http://127.0.0.1:" + uiPort;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while waiting for the Temporal server");
    }
  }
}
