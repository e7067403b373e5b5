package io.pgdr.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The server processes the lab starts itself (S3Mock, the Temporal dev server): stopped politely
 * then for good, found again through their pid file after a crashed owner, and checked to listen on
 * loopback only.
 */
final class OwnProcesses {

  private OwnProcesses() {}

  /** The java this JVM runs on: the one the lab's own processes (daemon, S3Mock) start with. */
  static String java() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** SIGTERM, then SIGKILL when it has not exited within {@code grace}; returns once it is gone. */
  static void stop(ProcessHandle process, Duration grace) {
    process.destroy();
    try {
      process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException notStopped) {
      // killed below
    }
    process.destroyForcibly();
    process.onExit().join();
  }

  /** Records the pid, so {@link #stopLeftover} finds the process when its owner died without stopping it. */
  static void writePid(Path pidFile, Process process) throws IOException {
    Files.writeString(pidFile, Long.toString(process.pid()));
  }

  /** Removes the pid file if it still names {@code process} (a newer process may have taken it over). */
  static void removePid(Path pidFile, Process process) {
    try {
      if (Files.exists(pidFile) && Files.readString(pidFile).trim().equals(Long.toString(process.pid()))) {
        Files.delete(pidFile);
      }
    } catch (IOException e) {
      // a stale pid file only costs a liveness check in stopLeftover
    }
  }

  /**
   * Stops the process {@code pidFile} names, if it still runs and its arguments say it is the one
   * that was recorded (a recycled pid is never signalled), and removes the file.
   */
  static void stopLeftover(Path pidFile, Predicate<List<String>> ownArguments, Duration grace) {
    if (!Files.exists(pidFile)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(p -> p.info().arguments().map(args -> ownArguments.test(List.of(args))).orElse(false))
          .ifPresent(leftover -> stop(leftover, grace));
      Files.deleteIfExists(pidFile);
    } catch (IOException | NumberFormatException e) {
      throw new LabException("cannot read " + pidFile + ": " + e.getMessage(), e);
    }
  }

  /** The lab must not offer an unauthenticated server to the network: refuse if any listening socket is not loopback. */
  static void requireLoopbackOnly(long pid, String what) {
    List<InetSocketAddress> exposed = ListeningSockets.of(pid).stream().filter(a -> !a.getAddress().isLoopbackAddress()).toList();
    if (!exposed.isEmpty()) {
      throw new LabException(what + " listens beyond loopback on " + exposed + "; refusing to run it (has its version changed?)");
    }
  }
}
