package io.pgdr.lab;

import io.pgdr.run.RunSearchAttributes;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Temporal server, as the Temporal CLI's {@code temporal server start-dev} runs it:
 * frontend, history and matching services, SQLite persistence, visibility queries, Schedules and
 * the Web UI, in a process of its own, on loopback only. pgdr's search attributes are registered
 * before anyone can start a run. The SQLite file is the caller's: a server started again on the
 * same file finds its history.
 */
public final class TemporalDevServer implements AutoCloseable {

  /**
   * The Temporal CLI pgdr pins: the one place of it. {@code scripts/temporal-cli} reads it from
   * here and builds it into {@link #cachedBinary()}.
   */
  public static final String CLI_VERSION = "v1.5.1";
  /** The Temporal server {@link #CLI_VERSION} embeds; docker-compose.yml runs the same minor version. */
  public static final String SERVER_VERSION = "1.29.1";
  /** The Web UI {@link #CLI_VERSION} embeds; docker-compose.yml runs the same minor version. */
  public static final String UI_VERSION = "2.42.1";
  /** Where pgdr finds the Temporal CLI before the cache and PATH; {@value #OFF} for none at all. */
  public static final String BINARY_ENV = "PGDR_TEMPORAL_CLI";
  /** {@code PGDR_TEMPORAL_CLI=off}: run without the real server even when there is one. */
  public static final String OFF = "off";
  public static final String NAMESPACE = "default";

  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  private static final Duration STOP_WITHIN = Duration.ofSeconds(15);

  private final Path binary;
  private final Process process;
  private final Path database;
  private final int port;
  private final int uiPort;

  private TemporalDevServer(Path binary, Process process, Path database, int port, int uiPort) {
    this.binary = binary;
    this.process = process;
    this.database = database;
    this.port = port;
    this.uiPort = uiPort;
  }

  /**
   * The Temporal CLI to run: {@code $PGDR_TEMPORAL_CLI}, else the one {@code scripts/temporal-cli}
   * built into pgdr's cache, else {@code temporal} on PATH; empty when there is none (then
   * {@link #whyNoBinary()} says why) or when {@code PGDR_TEMPORAL_CLI=off}.
   */
  public static Optional<Path> binary() {
    String given = System.getenv(BINARY_ENV);
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      return !given.equals(OFF) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
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

  /** True when {@link #binary()} finds the Temporal CLI (for {@link RequiredComponent} guards). */
  public static boolean present() {
    return binary().isPresent();
  }

  /** The hint for {@link RequiredComponent#require} when {@link #present()} is false. */
  public static String installHint() {
    return whyNoBinary() + "; build it with scripts/temporal-cli (needs Go), or put the Temporal CLI " + CLI_VERSION
        + " release binary there";
  }

  /** Why {@link #binary()} found none, in a phrase for the one line that says what is missing. */
  public static String whyNoBinary() {
    String given = System.getenv(BINARY_ENV);
    if (OFF.equals(given)) {
      return BINARY_ENV + "=" + OFF;
    }
    if (given != null && !given.isBlank()) {
      return BINARY_ENV + "=" + given + " is not an executable file";
    }
    return "no Temporal CLI in " + BINARY_ENV + ", " + cachedBinary() + " or PATH (scripts/temporal-cli builds it; see the README)";
  }

  /** {@code <cacheDir>/temporal-cli-<version>/temporal}, as scripts/temporal-cli builds it. */
  public static Path cachedBinary() {
    return cacheDir().resolve("temporal-cli-" + CLI_VERSION).resolve("temporal");
  }

  /** pgdr's cache of what it builds or prepares once per machine: {@code ${PGDR_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/pgdr}}. */
  static Path cacheDir() {
    String pgdrCache = System.getenv("PGDR_CACHE_DIR");
    String xdg = System.getenv("XDG_CACHE_HOME");
    return pgdrCache != null && !pgdrCache.isBlank() ? Path.of(pgdrCache)
        : (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("pgdr");
  }

  /**
   * Starts the server on free loopback ports and waits until its frontend and UI answer, with
   * pgdr's search attributes registered. A server that a crashed owner left running on the same
   * file is stopped first (its pid is kept beside the file).
   *
   * @param database the SQLite file (created when missing, kept afterwards)
   * @param log where the server's output goes
   */
  /**
   * The server's frontend checks for new versions at start and then periodically, over the
   * Internet, unless told not to: pgdr's lab and tests talk to loopback only. Set both ways (the
   * environment variable is the default the dynamic config reads).
   */
  static final String NO_VERSION_CHECK_ENV = "TEMPORAL_VERSION_CHECK_DISABLED";

  /**
   * The command line: loopback only, no version check, the SQLite file given, quiet logs. The file
   * is written ahead (WAL) and synced at checkpoints, not at every commit: every workflow task's
   * answer is a commit, and the default journal made it about 15 ms (bench/drill). A lab server
   * killed keeps every committed run; only the host losing power may cost the last moments'.
   */
  static List<String> command(Path binary, Path db, int port, int uiPort) {
    // the UI binds to --ip too; the HTTP API and metrics take free ports of their own, on --ip as well
    return List.of(binary.toString(), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", Integer.toString(port), "--ui-port", Integer.toString(uiPort),
        "--dynamic-config-value", "frontend.enableServerVersionCheck=false",
        "--db-filename", db.toString(), "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        "--log-level", "warn");
  }

  public static TemporalDevServer start(Path binary, Path database, Path log) {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(binary, database, log);
      } catch (ExitedEarly e) {
        // its ports are picked free moments before it binds them (some by the server itself): on a busy
        // machine another process can take one meanwhile, and the server exits at once. Fresh ports, again.
        if (attempt >= START_ATTEMPTS) {
          throw new LabException(e.getMessage(), e);
        }
        org.slf4j.LoggerFactory.getLogger(TemporalDevServer.class).warn("{}; starting it again on other ports", e.getMessage());
      }
    }
  }

  private static final int START_ATTEMPTS = 3;

  /** The server exited before it answered: its log says why (most often a port taken meanwhile). */
  static final class ExitedEarly extends RuntimeException {
    ExitedEarly(String message) {
      super(message);
    }
  }

  private static TemporalDevServer startOnce(Path binary, Path database, Path log) {
    Path db = database.toAbsolutePath();
    stopLeftover(db);
    int port = PostgresPair.freePort();
    int uiPort = PostgresPair.freePort();
    Process process;
    try {
      Files.createDirectories(db.getParent());
      ProcessBuilder builder = new ProcessBuilder(command(binary, db, port, uiPort));
      builder.environment().put(NO_VERSION_CHECK_ENV, "1");
      process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      OwnProcesses.writePid(pidFile(db), process);
    } catch (IOException e) {
      throw new LabException("could not start the Temporal server " + binary + ": " + e.getMessage(), e);
    }
    TemporalDevServer server = new TemporalDevServer(binary, process, db, port, uiPort);
    try {
      server.awaitReady(log);
      OwnProcesses.requireLoopbackOnly(process.pid(), "the Temporal server");
      RunSearchAttributes.registerAt(server.address(), NAMESPACE);
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Stops a server that a crashed owner left running on {@code database}, if any. */
  public static void stopLeftover(Path database) {
    String db = database.toAbsolutePath().toString();
    OwnProcesses.stopLeftover(pidFile(database.toAbsolutePath()), args -> args.contains("start-dev") && args.contains(db), STOP_WITHIN);
  }

  private static Path pidFile(Path database) {
    return database.resolveSibling(database.getFileName() + ".pid");
  }

  private void awaitReady(Path log) {
    Instant deadline = Instant.now().plus(READY_WITHIN);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(address()).setRpcTimeout(Duration.ofSeconds(2)).build());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      while (true) {
        if (!process.isAlive()) {
          throw new ExitedEarly("the Temporal server exited with " + process.exitValue() + " before answering; see " + log);
        }
        try {
          stubs.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(NAMESPACE).build());
          if (uiAnswers(http)) {
            return;
          }
        } catch (RuntimeException notYet) {
          // asked again below
        }
        if (Instant.now().isAfter(deadline)) {
          throw new LabException("the Temporal server did not answer at " + address() + " and " + uiUrl() + " within "
              + READY_WITHIN.toSeconds() + " s; see " + log);
        }
        PostgresPair.sleep(100);
      }
    } finally {
      stubs.shutdownNow();
    }
  }

  private boolean uiAnswers(HttpClient http) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(uiUrl())).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while waiting for the Temporal server");
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

  /**
   * What runs, as {@code <binary> --version} tells it, e.g. {@code "Temporal CLI dev server
   * (server 1.29.1, UI 2.42.1)"}: a CLI built with {@code go install} calls itself 0.0.0-DEV, but
   * names the server and UI it embeds.
   */
  public String describe() {
    String version = "";
    try {
      Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // described without its versions
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Matcher embedded = Pattern.compile("\\(Server ([^,)]+), UI ([^)]+)\\)").matcher(version);
    return "Temporal CLI dev server" + (embedded.find() ? " (server " + embedded.group(1) + ", UI " + embedded.group(2) + ")" : "");
  }

  @Override
  public void close() {
    OwnProcesses.stop(process.toHandle(), STOP_WITHIN);
    OwnProcesses.removePid(pidFile(database), process);
  }
}
