package io.pgdr.activities.rejoin;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new copy of the primary (pg_basebackup) beside the stale data directory, then two renames: the
 * stale directory to its kept name (never deleted by pgdr), the copy into its place. Each rename is
 * recognised as done on a retry, so a worker lost between them leaves nothing half-made.
 */
final class FreshCopy {

  private static final Logger log = LoggerFactory.getLogger(FreshCopy.class);
  /** Inside the rejoin's 12-hour start-to-close timeout. */
  static final Duration CAP = Duration.ofHours(11);

  private final RejoinPaths paths;
  private final DataDirectoryOwner owner;
  private final PostgresServer stale;
  private final ClientPrograms programs;
  private final ChildProgram child;

  FreshCopy(RejoinPaths paths, DataDirectoryOwner owner, PostgresServer stale, ClientPrograms programs, ChildProgram child) {
    this.paths = paths;
    this.owner = owner;
    this.stale = stale;
    this.programs = programs;
    this.child = child;
  }

  /**
   * pg_basebackup from the primary into the new directory (what an earlier attempt left there is
   * removed first: only a copy this call finishes is used).
   *
   * @param asFound what the data directory is, in words, for the failure that says where things are
   */
  void copyFrom(PostgresServer primary, Credentials credentials, String asFound) throws IOException {
    Path copy = paths.newDirectory();
    SavedConfiguration.remove(copy);
    // made here, with the owner and 0700, so the owner needs no right to write the directory's parent
    owner.createDirectory(copy);
    List<String> args = List.of("-D", copy.toString(), "-X", "stream", "-c", "fast", "-w", "--progress");
    ProcessBuilder builder = owner.runAsOwner(programs.connected(primary, "postgres", credentials, "pg_basebackup", args));
    ChildProgram.Finished basebackup = child.run(builder, "pg_basebackup of " + stale.pod() + " from " + primary.pod(), CAP, null);
    if (basebackup.exit() == 0) {
      owner.give(copy);
      return;
    }
    SavedConfiguration.remove(copy);
    String said = lastError(basebackup.output());
    String lower = said.toLowerCase(Locale.ROOT);
    if (lower.contains("password authentication failed") || lower.contains("no password supplied") || lower.contains("no pg_hba.conf entry")) {
      throw ApplicationFailure.newNonRetryableFailure("pg_basebackup of " + stale.pod() + ": " + primary.pod() + " (" + primary.address()
          + ") refused the credentials: " + said + "; " + asFound, FailureTypes.CREDENTIALS_REFUSED);
    }
    if (unreachable(said)) {
      throw ApplicationFailure.newFailure("pg_basebackup of " + stale.pod() + " did not reach " + primary.pod() + " (" + primary.address()
          + "): " + said + "; " + asFound, FailureTypes.SERVER_UNREACHABLE);
    }
    throw ApplicationFailure.newNonRetryableFailure(stale.pod() + " was neither rewound nor copied: pg_basebackup from " + primary.pod()
        + " failed (exit code " + basebackup.exit() + ": " + said + "); " + asFound, FailureTypes.REJOIN_FAILED);
  }

  /** The copy takes the data directory's place; the data directory goes to the kept name. Returns the kept directory. */
  Path swap() throws IOException {
    Path data = paths.dataDirectory();
    Path kept = paths.keptDirectory();
    Path copy = paths.newDirectory();
    boolean dataThere = Files.exists(data);
    boolean keptThere = Files.exists(kept);
    boolean copyThere = Files.exists(copy);
    if (dataThere && !keptThere && copyThere) {
      Files.move(data, kept, StandardCopyOption.ATOMIC_MOVE);
      log.info("{}: the data directory before the rejoin is kept at {}", stale.pod(), kept);
      Files.move(copy, data, StandardCopyOption.ATOMIC_MOVE);
    } else if (!dataThere && keptThere && copyThere) {
      Files.move(copy, data, StandardCopyOption.ATOMIC_MOVE);
    } else if (!(dataThere && keptThere && !copyThere)) {
      throw ApplicationFailure.newNonRetryableFailure(stale.pod() + " was copied afresh but the copy cannot be put in place: "
          + data + (dataThere ? " exists" : " is missing") + ", " + kept + (keptThere ? " exists" : " is missing") + ", " + copy
          + (copyThere ? " exists" : " is missing") + "; pgdr changed none of them", FailureTypes.REJOIN_FAILED);
    }
    owner.give(data);
    return kept;
  }

  private static String lastError(String output) {
    String found = null;
    for (String line : output.split("\n")) {
      String text = line.strip();
      if (text.startsWith("pg_basebackup: error:") || text.startsWith("pg_basebackup: fatal:")) {
        found = found == null ? text.substring(text.indexOf(':', 14) + 1).strip() : found;
      }
    }
    if (found != null) {
      return found;
    }
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static boolean unreachable(String error) {
    String text = error.toLowerCase(Locale.ROOT);
    return text.contains("connection to server") || text.contains("could not connect") || text.contains("timeout expired")
        || text.contains("the database system is") || text.contains("too many clients");
  }
}
