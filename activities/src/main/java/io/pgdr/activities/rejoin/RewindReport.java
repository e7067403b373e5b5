package io.pgdr.activities.rejoin;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What pg_rewind (a dry run or the real one, with {@code --progress}) said about a target and its
 * source: where their histories parted, whether a rewind is needed, and when it failed, its own error
 * line and whether the failure was only reaching the source (nothing was looked at yet, a retry may do).
 *
 * @param exit pg_rewind's exit code
 * @param forkLsn "servers diverged at WAL location X on timeline N": X; null when it did not get there
 * @param forkTimeline N; 0 when unknown
 * @param noRewindRequired it said "no rewind required" (on one timeline, or the target is behind the fork)
 * @param error its first error line (without the "pg_rewind: error: " prefix); null when it succeeded
 * @param connected it reached the source ("connected to server")
 */
record RewindReport(int exit, String forkLsn, int forkTimeline, boolean noRewindRequired, String error, boolean connected) {

  private static final Pattern DIVERGED = Pattern.compile("servers diverged at WAL location ([0-9A-Fa-f]+/[0-9A-Fa-f]+) on timeline (\\d+)");
  private static final Pattern ERROR = Pattern.compile("^(?:pg_rewind: )?(?:error|fatal|FATAL): (.*)$");

  static RewindReport parse(int exit, String output) {
    String fork = null;
    int timeline = 0;
    boolean noRewind = false;
    boolean connected = false;
    String error = null;
    for (String line : output.split("\n")) {
      String text = line.strip();
      Matcher diverged = DIVERGED.matcher(text);
      if (diverged.find()) {
        fork = diverged.group(1).toUpperCase(Locale.ROOT);
        timeline = Integer.parseInt(diverged.group(2));
      }
      noRewind |= text.endsWith("no rewind required");
      connected |= text.endsWith("connected to server");
      Matcher failed = ERROR.matcher(text);
      if (error == null && failed.matches()) {
        error = failed.group(1).strip();
      }
    }
    if (exit != 0 && error == null) {
      error = "pg_rewind failed (exit code " + exit + ")" + lastLine(output);
    }
    return new RewindReport(exit, fork, timeline, noRewind, exit == 0 ? null : error, connected);
  }

  boolean succeeded() {
    return exit == 0;
  }

  /** It found the target's WAL going on past the fork: the target needs rewinding (a dry run stops there). */
  boolean rewindNeeded() {
    return succeeded() && !noRewindRequired;
  }

  /** It failed before reaching the source: the target was not looked at, and time may fix it. */
  boolean sourceUnreachable() {
    if (succeeded() || connected || credentialsRefused()) {
      return false;
    }
    String text = error.toLowerCase(Locale.ROOT);
    return text.contains("connection to server") || text.contains("could not connect") || text.contains("timeout expired")
        || text.contains("the database system is") || text.contains("too many clients") || text.contains("server closed the connection");
  }

  /** The source refused the credentials: no retry changes that. */
  boolean credentialsRefused() {
    if (succeeded()) {
      return false;
    }
    String text = error.toLowerCase(Locale.ROOT);
    return text.contains("password authentication failed") || text.contains("no password supplied")
        || text.contains("no pg_hba.conf entry");
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines.length == 0 || lines[lines.length - 1].isBlank() ? "" : ": " + lines[lines.length - 1].strip();
  }
}
