package io.pgdr.activities.rejoin;

import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a PostgreSQL program (pg_rewind, pg_basebackup, pg_waldump, pg_ctl, pg_controldata) that may
 * take minutes to hours: the activity's own thread waits in one-second steps and heartbeats between them,
 * so a lost worker is noticed within the heartbeat timeout, and a cancelled activity (its heartbeat
 * refused) or an expired cap kills the program. What the program says on stderr goes to the log line by
 * line; its stdout goes to a reader when one is given (pg_waldump's records, which may be millions), else
 * to the kept output. Any secret given is blanked out of both before anything keeps or logs them.
 */
final class ChildProgram {

  private static final Logger log = LoggerFactory.getLogger(ChildProgram.class);
  /** The end of the output kept for parsing and messages; what pgdr reads is in the first and last lines. */
  private static final int KEPT_CHARS = 64 * 1024;
  /** pg_rewind's and pg_basebackup's progress lines: to the heartbeat, and only at debug level to the log. */
  private static final Pattern PROGRESS = Pattern.compile("^\\s*\\d+/\\d+ kB \\(\\d+%\\)");

  /** How the program ended: its exit code and what it said (stderr, and stdout when nobody read it), secrets blanked. */
  record Finished(int exit, String output) {}

  /** The program ran longer than the caller allows; it was killed. */
  static final class TimedOut extends IOException {
    TimedOut(String what, Duration cap) {
      super(what + " did not finish within " + cap.toMinutes() + " min and was stopped");
    }
  }

  private final Consumer<Object> heartbeat;
  private final List<String> secrets;

  /** @param secrets values never to be kept or logged (a password that might be echoed) */
  ChildProgram(Consumer<Object> heartbeat, List<String> secrets) {
    this.heartbeat = heartbeat;
    this.secrets = secrets.stream().filter(s -> s != null && !s.isEmpty()).toList();
  }

  /**
   * @param what the program and its object in words, for the heartbeat and the log ("pg_rewind of postgresql-0")
   * @param stdoutLines reads stdout line by line; null keeps it with stderr
   */
  Finished run(ProcessBuilder builder, String what, Duration cap, Consumer<String> stdoutLines) throws TimedOut {
    StringBuilder kept = new StringBuilder();
    AtomicReference<String> lastLine = new AtomicReference<>("");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw ApplicationFailure.newNonRetryableFailure("cannot run " + String.join(" ", builder.command().subList(0, 1)) + " for " + what
          + ": " + e.getMessage(), FailureTypes.CLIENT_PROGRAM_MISSING);
    }
    Thread stderr = reader(process.getErrorStream(), what, line -> {
      keep(kept, line);
      lastLine.set(line);
      if (PROGRESS.matcher(line).find()) {
        log.debug("{}: {}", what, line);
      } else {
        log.info("{}: {}", what, line);
      }
    });
    Thread stdout = reader(process.getInputStream(), what, stdoutLines != null ? stdoutLines : line -> keep(kept, line));
    try {
      long deadline = System.nanoTime() + cap.toNanos();
      heartbeat.accept(what);
      while (!process.waitFor(1, TimeUnit.SECONDS)) {
        String latest = lastLine.get();
        heartbeat.accept(latest.isEmpty() ? what : what + ": " + latest);
        if (System.nanoTime() > deadline) {
          throw new TimedOut(what, cap);
        }
      }
      stderr.join(TimeUnit.SECONDS.toMillis(10));
      stdout.join(TimeUnit.SECONDS.toMillis(10));
      synchronized (kept) {
        return new Finished(process.exitValue(), kept.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure(what + " was interrupted: the worker is stopping", FailureTypes.INTERRUPTED);
    } finally {
      // a refused heartbeat (cancelled, timed out, taken over), an interrupt or the cap: the program must not live on
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  private void keep(StringBuilder kept, String line) {
    synchronized (kept) {
      kept.append(line).append('\n');
      if (kept.length() > KEPT_CHARS) {
        kept.delete(0, kept.length() - KEPT_CHARS);
      }
    }
  }

  private Thread reader(InputStream stream, String what, Consumer<String> lines) {
    Thread thread = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          // progress reports to a terminal end in \r: each is a line of its own
          for (String part : line.split("\r")) {
            if (!part.isBlank()) {
              lines.accept(blank(part));
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        log.debug("{}: output no longer read: {}", what, e.toString());
      }
    }, "pgdr-child-output");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  String blank(String text) {
    String out = text;
    for (String secret : secrets) {
      out = out.replace(secret, "***");
    }
    return out;
  }
}
