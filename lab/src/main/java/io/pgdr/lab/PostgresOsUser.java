package io.pgdr.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The OS account PostgreSQL programs run as. initdb and postgres refuse to run as root, so a root
 * JVM runs them through {@code runuser -u postgres --} and hands the files they need to postgres;
 * any other user runs them as itself.
 */
final class PostgresOsUser {

  private static final String ACCOUNT = "postgres";

  private PostgresOsUser() {}

  static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs a program, returning its combined output; a non-zero exit is a LabException quoting it. */
  static String run(List<String> command, Map<String, String> env, Duration timeout) {
    Result result = runForResult(command, env, timeout);
    if (result.exit() != 0) {
      throw new LabException(command.get(0).replaceAll(".*/", "") + " failed (exit " + result.exit() + "): "
          + result.output().strip());
    }
    return result.output();
  }

  record Result(int exit, String output) {}

  static Result runForResult(List<String> command, Map<String, String> env, Duration timeout) {
    List<String> full = new ArrayList<>();
    if (runningAsRoot()) {
      full.addAll(List.of("runuser", "-u", ACCOUNT, "--"));
    }
    full.addAll(command);
    File output = null;
    try {
      output = File.createTempFile("pgdr-lab-", ".out");
      // a file, not a pipe: a server started by pg_ctl must not keep our pipe open after pg_ctl exits
      ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(output).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new LabException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
      }
      return new Result(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new LabException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running " + command.get(0), e);
    } finally {
      if (output != null) {
        output.delete();
      }
    }
  }

  /**
   * Starts a long-running program as the server account (root: through setpriv, which execs it, so
   * the process is the program itself and signals reach it), its output appended to {@code log}.
   */
  static Process startDetached(List<String> command, Path log) {
    List<String> full = new ArrayList<>();
    if (runningAsRoot()) {
      full.addAll(List.of("setpriv", "--reuid=" + ACCOUNT, "--regid=" + ACCOUNT, "--init-groups"));
    }
    full.addAll(command);
    try {
      ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      return builder.start();
    } catch (IOException e) {
      throw new LabException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  /** Gives a file tree to the server account (root only; otherwise it already belongs to us). */
  static void own(Path path) {
    if (runningAsRoot()) {
      runAsIs(List.of("chown", "-R", ACCOUNT + ":" + ACCOUNT, path.toString()));
    }
  }

  /**
   * Lets the server account reach a directory: every ancestor gets search (x) permission for
   * others, without read, so a root-only temp directory does not hide the data directories.
   */
  static void makeReachable(Path dir) {
    if (!runningAsRoot()) {
      return;
    }
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
          perms.add(PosixFilePermission.OTHERS_EXECUTE);
          Files.setPosixFilePermissions(p, perms);
        }
      } catch (IOException | UnsupportedOperationException e) {
        throw new LabException("cannot let the postgres account reach " + p + ": " + e.getMessage(), e);
      }
    }
  }

  private static void runAsIs(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new LabException(String.join(" ", command) + " failed: " + out.strip());
      }
    } catch (IOException e) {
      throw new LabException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running " + command.get(0), e);
    }
  }
}
