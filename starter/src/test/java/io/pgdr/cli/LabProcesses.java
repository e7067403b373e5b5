package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A lab brought up by {@code ./pgdr lab up} in a directory of its own, and a {@code ./pgdr worker}
 * process against it, with the environment a user would export ({@code eval $(pgdr lab env)}).
 * What the end-to-end tests start from.
 */
final class LabProcesses implements AutoCloseable {

  final Path logs;
  final Lab lab;
  final LabStatus status;
  final Map<String, String> env;
  private PgdrProcess worker;

  private LabProcesses(Path logs, Lab lab, LabStatus status, Map<String, String> env) {
    this.logs = logs;
    this.lab = lab;
    this.status = status;
    this.env = env;
  }

  static LabProcesses up(Path logs) throws Exception {
    return up(logs, false);
  }

  /** @param patroni {@code lab up --patroni}: the pair under real Patroni and etcd */
  static LabProcesses up(Path logs, boolean patroni) throws Exception {
    return up(logs, patroni, Map.of());
  }

  /** @param labEnvironment variables the lab's daemon starts with (PGDR_LAB_POD_START_DELAY) */
  static LabProcesses up(Path logs, boolean patroni, Map<String, String> labEnvironment) throws Exception {
    Path labDir = Files.createTempDirectory("pgdr-e2e");
    Map<String, String> env = new HashMap<>(Map.of("PGDR_LAB_DIR", labDir.toString()));
    env.putAll(labEnvironment);
    CliRun up = patroni ? PgdrProcess.run(logs, env, Duration.ofMinutes(3), "lab", "up", "--patroni", "--output", "json")
        : PgdrProcess.run(logs, env, Duration.ofMinutes(3), "lab", "up", "--output", "json");
    assertEquals(0, up.exitCode(), up.toString());
    LabStatus status = LabStatus.fromJson(up.out());
    env.put("TEMPORAL_ADDRESS", status.temporalAddress());
    env.put("KUBECONFIG", status.kubeconfig().toString());
    LabProcesses processes = new LabProcesses(logs, Lab.at(labDir), status, env);
    processes.startWorker();
    return processes;
  }

  /** The worker's options: a worker started again without any (after a kill) gets the last ones. */
  private String[] workerOptions = new String[0];

  void startWorker(String... options) throws Exception {
    if (options.length > 0) {
      workerOptions = options;
    }
    String[] args = new String[workerOptions.length + 1];
    args[0] = "worker";
    System.arraycopy(workerOptions, 0, args, 1, workerOptions.length);
    worker = PgdrProcess.start(logs, env, args);
  }

  /** The port of the worker's HTTP endpoint (metrics, health, alerts), as it says when it is up. */
  int workerPort() {
    java.util.regex.Pattern said = java.util.regex.Pattern.compile("metrics and health on port (\\d+)");
    return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          java.util.regex.Matcher m = said.matcher(worker.stderr());
          return m.find() ? Integer.parseInt(m.group(1)) : null;
        }, java.util.Objects::nonNull);
  }

  /** SIGKILL, as when the worker's node dies. */
  void killWorker() throws InterruptedException {
    if (worker != null) {
      worker.kill();
      worker = null;
    }
  }

  /** A session through the lab's Service, as an application of the given name opens it. */
  java.sql.Connection connectThroughService(String application) throws java.sql.SQLException {
    java.util.Properties login = new java.util.Properties();
    login.setProperty("user", lab.pair().superuser());
    login.setProperty("password", lab.pair().password());
    login.setProperty("ApplicationName", application);
    return java.sql.DriverManager.getConnection("jdbc:postgresql://" + status.serviceEndpoint() + "/" + lab.pair().database(), login);
  }

  CliRun pgdr(Duration timeout, String... args) throws Exception {
    return PgdrProcess.run(logs, env, timeout, args);
  }

  PgdrProcess startPgdr(String... args) throws Exception {
    return PgdrProcess.start(logs, env, args);
  }

  String targetFile() {
    return status.targetFile().toString();
  }

  @Override
  public void close() throws Exception {
    killWorker();
    lab.down(line -> { });
  }
}
