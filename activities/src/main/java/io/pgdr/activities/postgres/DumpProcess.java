package io.pgdr.activities.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code pg_dump} or {@code pg_restore} whose archive streams through its stdin or
 * stdout, with its stderr kept (the last few kilobytes) for the error message. Success is exit
 * code 0, checked by {@link #finish()}; anything else is a {@link Failed} that quotes stderr.
 */
public final class DumpProcess implements AutoCloseable {

  private static final int STDERR_KEPT = 8 * 1024;

  /** The program ended with a non-zero exit code (or could not be started). */
  public static final class Failed extends IOException {
    private final int exitCode;
    private final String stderr;

    Failed(String what, int exitCode, String stderr) {
      super(what + " failed (exit code " + exitCode + ")" + (stderr.isBlank() ? "" : ": " + stderr.strip()));
      this.exitCode = exitCode;
      this.stderr = stderr;
    }

    public int exitCode() {
      return exitCode;
    }

    public String stderr() {
      return stderr;
    }
  }

  private final String what;
  private final Process process;
  private final Thread stderrReader;
  private final StringBuilder stderr = new StringBuilder();

  private DumpProcess(String what, Process process) {
    this.what = what;
    this.process = process;
    this.stderrReader = new Thread(this::keepStderr, "pgdr-stderr-" + process.pid());
    this.stderrReader.setDaemon(true);
    this.stderrReader.start();
  }

  /**
   * Starts the program; stdout is discarded unless {@code readStdout}.
   *
   * @param what the program and object in words, for messages ("pg_restore of pre-data.dump")
   */
  public static DumpProcess start(ProcessBuilder builder, String what, boolean readStdout) throws IOException {
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    if (!readStdout) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    try {
      return new DumpProcess(what, builder.start());
    } catch (IOException e) {
      throw new Failed(what, -1, "cannot start " + builder.command().get(0) + ": " + e.getMessage());
    }
  }

  public OutputStream stdin() {
    return process.getOutputStream();
  }

  public InputStream stdout() {
    return process.getInputStream();
  }

  /** Waits for the program to end; throws {@link Failed} unless it exited with 0. */
  public void finish() throws IOException, InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException alreadyGone) {
      // the program closed its stdin first; its exit code says how it went
    }
    int exit = process.waitFor();
    stderrReader.join(TimeUnit.SECONDS.toMillis(10));
    if (exit != 0) {
      throw new Failed(what, exit, stderr());
    }
  }

  public String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  /** Kills the program if it still runs (after a failure elsewhere, or a cancellation). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private void keepStderr() {
    byte[] buffer = new byte[4096];
    try (InputStream in = process.getErrorStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        synchronized (stderr) {
          stderr.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          if (stderr.length() > STDERR_KEPT) {
            stderr.delete(0, stderr.length() - STDERR_KEPT);
          }
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }
}
