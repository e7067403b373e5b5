package io.pgdr.activities.pitr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory in the restored data directory ({@value #DIRECTORY}) between pgdr's worker and the
 * recovering server: the worker puts the timeline history files and, ahead of replay, the WAL
 * segments there; the server's {@code restore_command} ({@value #SCRIPT}) copies them out, waiting
 * for a wanted segment the worker has not fetched yet, and writes which one it is waiting for
 * ({@value #ASKING}). A file appears under its final name only once complete (written under a
 * temporary name, then renamed), so a spooled segment is never fetched again after a crash.
 * Removed once the server has promoted.
 */
final class WalSpool {

  static final String DIRECTORY = "pgdr_spool";
  static final String SCRIPT = "restore-wal";
  /** The segment names recovery may ask for, one per line: anything else is "not in the archive". */
  static final String WANTED = "wanted";
  /** This run's id, written before anything else: what the directory's content belongs to. */
  static final String RUN = "run";
  /** Written once the base backup and the recovery settings are in place. */
  static final String RESTORED = "restored";
  /** One line per segment the worker stored: name, bytes. */
  static final String FETCHED = "fetched";
  /** Written by the script: the segment the server waits for. */
  static final String ASKING = "asking";
  /** Written by the script: a segment beyond the wanted ones was asked for, so the archive ran out before the target. */
  static final String ASKED_BEYOND = "asked-beyond";

  private static final String SCRIPT_TEXT = """
      #!/bin/sh
      # restore_command of a pgdr point-in-time recovery, removed once the server has promoted. pgdr's
      # worker fetches the WAL this recovery needs into this directory ahead of replay. This hands the
      # server a file from here, waits for a wanted segment not fetched yet (a restarted worker resumes
      # the fetching), and answers "not in the archive" (exit 1) for anything else.
      d=pgdr_spool
      f=$1
      p=$2
      case $f in
        *.history) [ -f "$d/$f" ] || exit 1; exec cp "$d/$f" "$p" ;;
      esac
      if ! grep -qx "$f" "$d/wanted"; then
        echo "$f" > "$d/asked-beyond.tmp" && mv -f "$d/asked-beyond.tmp" "$d/asked-beyond"
        exit 1
      fi
      echo "$f" > "$d/asking.tmp" && mv -f "$d/asking.tmp" "$d/asking"
      while [ ! -f "$d/$f" ]; do sleep 0.1; done
      exec cp "$d/$f" "$p"
      """;

  private final Path dir;
  private final VolumeOwner owner;

  WalSpool(Path dataDir, VolumeOwner owner) {
    this.dir = dataDir.resolve(DIRECTORY);
    this.owner = owner;
  }

  Path dir() {
    return dir;
  }

  void create() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectory(dir);
    }
    owner.give(dir);
  }

  void writeScript(List<String> wanted) throws IOException {
    write(SCRIPT, SCRIPT_TEXT);
    write(WANTED, String.join("\n", wanted) + "\n");
  }

  Optional<String> read(String name) {
    try {
      return Optional.of(Files.readString(dir.resolve(name), StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  void write(String name, String content) throws IOException {
    Path temporary = temporaryFor(name);
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    owner.give(temporary);
    Files.move(temporary, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A temporary name of this writer's own: an attempt that timed out may still be writing the same file. */
  private Path temporaryFor(String name) throws IOException {
    return Files.createTempFile(dir, "." + name + ".", ".tmp");
  }

  boolean holds(String name) {
    return Files.isRegularFile(dir.resolve(name));
  }

  /** Stores a file from a stream; returns its size. Safe to call from several threads for different names. */
  long store(String name, InputStream content) throws IOException {
    Path temporary = temporaryFor(name);
    long size;
    try (var out = Files.newOutputStream(temporary)) {
      size = content.transferTo(out);
    }
    owner.give(temporary);
    Files.move(temporary, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return size;
  }

  synchronized void recordFetched(String name, long bytes) throws IOException {
    Path log = dir.resolve(FETCHED);
    Files.writeString(log, name + " " + bytes + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    owner.give(log);
  }

  List<String> fetched() {
    try (Stream<String> lines = Files.lines(dir.resolve(FETCHED))) {
      return lines.filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  void delete(String name) throws IOException {
    Files.deleteIfExists(dir.resolve(name));
  }

  /** Removes the spool and everything in it (after the promotion: the server no longer reads it). */
  void remove() throws IOException {
    deleteTree(dir);
  }

  /** Deletes a file or a directory with everything in it; nothing when it is not there. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
