package io.pgdr.activities.rejoin;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stale server's data directory as the worker reaches it, and the PostgreSQL programs that read or
 * change it, each run as the directory's owner.
 */
final class StaleDataDirectory {

  private static final Logger log = LoggerFactory.getLogger(StaleDataDirectory.class);
  private static final Duration QUICK = Duration.ofSeconds(30);
  /** pg_ctl status: the server is not running. */
  private static final int NOT_RUNNING = 3;
  /** pg_ctl status: no accessible data directory. */
  private static final int NO_DATA_DIRECTORY = 4;

  private final Path directory;
  private final DataDirectoryOwner owner;
  private final PostgresServer stale;
  private final ClientPrograms programs;
  private final ChildProgram child;

  StaleDataDirectory(Path directory, DataDirectoryOwner owner, PostgresServer stale, ClientPrograms programs, ChildProgram child) {
    this.directory = directory;
    this.owner = owner;
    this.stale = stale;
    this.programs = programs;
    this.child = child;
  }

  /**
   * The volume's directory on this worker; fails when the worker does not reach it.
   *
   * @param mayBeMissing the path may be absent (a fresh copy between its two renames)
   */
  static Path on(DataVolume volume, PostgresServer stale, boolean mayBeMissing) {
    if (volume.path() == null || !(mayBeMissing || Files.isDirectory(Path.of(volume.path())))) {
      throw ApplicationFailure.newNonRetryableFailure("the data volume of " + stale.pod() + " (claim " + volume.claim() + ", "
          + volume.describe() + ") is " + (volume.path() == null ? "not a hostPath or local volume" : "not at " + volume.path() + " here")
          + ": only a worker on the volume's node can rejoin it (rejoining through a pod that mounts the claim is not built)",
          FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    return Path.of(volume.path()).toAbsolutePath().normalize();
  }

  Path path() {
    return directory;
  }

  DataDirectoryOwner owner() {
    return owner;
  }

  /** A data directory is what initdb leaves: PG_VERSION first of all. */
  void requireCluster() {
    if (!Files.isRegularFile(directory.resolve("PG_VERSION"))) {
      throw ApplicationFailure.newNonRetryableFailure(directory + " (the data volume of " + stale.pod() + ") holds no PostgreSQL data"
          + " directory (no PG_VERSION): nothing to rejoin", FailureTypes.DATA_VOLUME_UNUSABLE);
    }
  }

  /** pg_ctl status: a server still running on the directory is retried, its pod held stopped by the Kubernetes step soon. */
  void requireStopped() throws ChildProgram.TimedOut {
    ChildProgram.Finished status = child.run(owner.runAsOwner(programs.offline("pg_ctl", List.of("status", "-D", directory.toString()))),
        "pg_ctl status of " + stale.pod(), QUICK, null);
    if (status.exit() == NOT_RUNNING) {
      return;
    }
    if (status.exit() == 0) {
      throw ApplicationFailure.newFailure("the server of " + stale.pod() + " on " + directory + " still runs (" + firstLine(status.output())
          + "): its pod is not stopped yet", FailureTypes.INTERRUPTED);
    }
    throw ApplicationFailure.newNonRetryableFailure("pg_ctl status cannot read " + directory + " (the data volume of " + stale.pod()
        + ", owned by " + owner + "): " + (status.exit() == NO_DATA_DIRECTORY ? "" : "exit code " + status.exit() + ": ")
        + status.output().strip(), FailureTypes.DATA_VOLUME_UNUSABLE);
  }

  /**
   * Finishes the crash recovery of a server that stopped without shutting down (a crashed primary,
   * a pod killed after its grace period), as pg_rewind itself would before a real rewind: in
   * single-user mode, as the owner. Its dry run does not, and refuses such a directory. A
   * directory set to start in recovery (standby.signal, recovery.signal) is left: single-user
   * mode cannot recover it, and a fresh copy follows.
   *
   * @return whether it ran and the directory is now cleanly shut down
   */
  boolean finishCrashRecovery(Duration cap) throws ChildProgram.TimedOut {
    if (Files.exists(directory.resolve("standby.signal")) || Files.exists(directory.resolve("recovery.signal"))) {
      return false;
    }
    ProcessBuilder single = owner.runAsOwner(programs.offline("postgres", List.of("--single", "-F", "-D", directory.toString(), "template1")))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    ChildProgram.Finished recovered = child.run(single, "crash recovery of " + stale.pod() + " (single-user mode)", cap, null);
    if (recovered.exit() != 0) {
      log.warn("crash recovery of {} in single-user mode failed (exit code {}): {}", stale.pod(), recovered.exit(), recovered.output().strip());
      return false;
    }
    log.info("crash recovery of {} finished in single-user mode: it is shut down cleanly", stale.pod());
    return true;
  }

  ControlData controlData() throws ChildProgram.TimedOut {
    ChildProgram.Finished control = child.run(owner.runAsOwner(programs.offline("pg_controldata", List.of("-D", directory.toString()))),
        "pg_controldata of " + stale.pod(), QUICK, null);
    if (control.exit() != 0) {
      log.warn("pg_controldata of {} failed (exit code {}): {}", stale.pod(), control.exit(), control.output().strip());
    }
    return ControlData.parse(control.output());
  }

  /**
   * pg_rewind of this directory from {@code primary}, the password in the child's environment only.
   *
   * @param dryRun only find out what it would do (nothing written)
   */
  RewindReport rewindFrom(PostgresServer primary, Credentials credentials, boolean dryRun, Duration cap) throws ChildProgram.TimedOut {
    Conninfo source = Conninfo.empty().with("host", primary.host()).with("port", Integer.toString(primary.port()))
        .with("user", credentials.user()).with("dbname", "postgres").with("connect_timeout", "5");
    List<String> args = new ArrayList<>(List.of("-D", directory.toString(), "--source-server=" + source.text(), "--progress"));
    if (dryRun) {
      args.add("--dry-run");
    }
    ProcessBuilder builder = owner.runAsOwner(programs.connected(primary, "postgres", credentials, "pg_rewind", args));
    ChildProgram.Finished rewind = child.run(builder, (dryRun ? "pg_rewind --dry-run of " : "pg_rewind of ") + stale.pod()
        + " from " + primary.pod(), cap, null);
    return RewindReport.parse(rewind.exit(), rewind.output());
  }

  /**
   * pg_waldump over the directory's WAL from the fork on; null when it could not be read at all. Only
   * the fork's timeline is read: a stale server that went on to later timelines of its own (promoted
   * again, or recovered) has WAL there too, which this leaves out (it counts from the fork to the end
   * of that timeline's WAL).
   */
  DivergedWal walAfter(String forkLsn, int forkTimeline, Duration cap) {
    DivergedWal wal = new DivergedWal();
    ProcessBuilder builder = owner.runAsOwner(programs.offline("pg_waldump",
        List.of("-p", directory.resolve("pg_wal").toString(), "-t", Integer.toString(forkTimeline), "-s", forkLsn)));
    builder.environment().put("TZ", "UTC");
    try {
      ChildProgram.Finished dump = child.run(builder, "pg_waldump of " + stale.pod() + " from " + forkLsn, cap, wal);
      if (wal.records() == 0) {
        log.warn("the diverged transactions of {} are not counted: pg_waldump read no WAL after {} on timeline {} (exit code {}: {})",
            stale.pod(), forkLsn, forkTimeline, dump.exit(), dump.output().strip());
        return null;
      }
      return wal;
    } catch (ChildProgram.TimedOut | ApplicationFailure e) {
      if (e instanceof ApplicationFailure failure && FailureTypes.INTERRUPTED.equals(failure.getType())) {
        throw failure;
      }
      log.warn("the diverged transactions of {} are not counted: {}", stale.pod(), e.getMessage());
      return null;
    }
  }

  private static String firstLine(String output) {
    String text = output.strip();
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
