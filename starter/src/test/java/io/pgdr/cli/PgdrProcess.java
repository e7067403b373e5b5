package io.pgdr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code ./pgdr} as a separate process, exactly as a user types it, with stdout and stderr kept apart. */
final class PgdrProcess {

  static final Path ROOT = Path.of(System.getProperty("pgdr.root", "..")).toAbsolutePath().normalize();

  private final Process process;
  private final Path out;
  private final Path err;

  private PgdrProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  static PgdrProcess start(Path logs, Map<String, String> env, String... args) throws IOException {
    Files.createDirectories(logs);
    String name = args[0] + "-" + System.nanoTime();
    Path out = logs.resolve(name + ".out");
    Path err = logs.resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("pgdr").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // any free port for each worker's metrics endpoint: a worker left from an earlier test must not block the next
    builder.environment().put("PGDR_METRICS_PORT", "0");
    // a test's worker lives seconds (the chaos tests start dozens): the client compiler alone starts it in
    // far less CPU, and the integration tier is bound by its two cores
    builder.environment().put("PGDR_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    builder.environment().putAll(env);
    return new PgdrProcess(builder.start(), out, err);
  }

  /** Runs to the end (or fails the test after {@code timeout}) and returns what it printed. */
  static CliRun run(Path logs, Map<String, String> env, Duration timeout, String... args) throws Exception {
    PgdrProcess p = start(logs, env, args);
    return p.await(timeout);
  }

  CliRun await(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("pgdr did not finish within " + timeout + "\n" + Files.readString(err));
    }
    return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** SIGKILL: no shutdown hook, no graceful stop, as when a node dies. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String stderr() throws IOException {
    return Files.readString(err);
  }
}
