package io.pgdr.activities.rejoin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where one run's rejoin keeps what it must find again after a crash: all beside the data directory,
 * never inside it, because pg_rewind deletes from the target whatever the source lacks and a fresh
 * copy replaces the directory whole.
 *
 * @param dataDirectory the stale server's data directory
 * @param runTag a short, filesystem-safe form of the run's id
 */
record RejoinPaths(Path dataDirectory, String runTag) {

  private static final int LONGEST_TAG = 32;

  static RejoinPaths of(Path dataDirectory, String runId) {
    return new RejoinPaths(dataDirectory.toAbsolutePath().normalize(), runTag(runId));
  }

  /** The state of this run's rejoin ({@link RejoinState}). */
  Path stateFile() {
    return sibling(".pgdr-rejoin-" + runTag + ".json");
  }

  /** The stale server's own configuration files, saved before anything changes; removed once done. */
  Path savedConfiguration() {
    return sibling(".pgdr-rejoin-" + runTag + ".conf");
  }

  /** Where pg_basebackup writes the fresh copy before it takes the data directory's place. */
  Path newDirectory() {
    return sibling(".pgdr-rejoin-" + runTag + ".new");
  }

  /** Where the data directory goes when a fresh copy replaces it: kept, never deleted by pgdr. */
  Path keptDirectory() {
    return sibling(".pgdr-before-rejoin-" + runTag);
  }

  /**
   * Other runs' rejoins of this directory that began changing it and never finished: a rewind or a
   * copy cut short (the run failed, was cancelled or timed out). Such a directory is never trusted.
   */
  java.util.List<Path> unfinishedElsewhere() throws java.io.IOException {
    String prefix = dataDirectory.getFileName() + ".pgdr-rejoin-";
    try (var siblings = java.nio.file.Files.list(dataDirectory.getParent())) {
      java.util.List<Path> found = new java.util.ArrayList<>();
      for (Path file : siblings.filter(f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(".json")
          && !f.equals(stateFile())).sorted().toList()) {
        var state = RejoinState.read(file);
        if (state.isPresent() && (RejoinState.REWINDING.equals(state.get().phase()) || RejoinState.COPYING.equals(state.get().phase()))) {
          found.add(file);
        }
      }
      return found;
    }
  }

  private Path sibling(String suffix) {
    return dataDirectory.resolveSibling(dataDirectory.getFileName() + suffix);
  }

  /** Letters, digits, dot, dash and underscore of the id; a long id is cut and a hash of it keeps it apart from others. */
  static String runTag(String runId) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("a rejoin needs the run's id");
    }
    String safe = runId.strip().replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[.-]+", "");
    if (safe.length() <= LONGEST_TAG && safe.equals(runId.strip()) && !safe.isEmpty()) {
      return safe;
    }
    String hash = HexFormat.of().formatHex(sha256(runId)).substring(0, 8);
    String head = safe.substring(0, Math.min(safe.length(), LONGEST_TAG - 9));
    return head.isEmpty() ? hash : head + "-" + hash;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
