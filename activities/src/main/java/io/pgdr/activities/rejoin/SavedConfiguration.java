package io.pgdr.activities.rejoin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The stale server's own configuration files, read before anything changes its data directory: pg_rewind
 * and pg_basebackup bring the primary's, and each server's own files say what is its own (in the lab its
 * port; in a cluster its memory, its pg_hba.conf). Kept beside the directory, not in memory, because a
 * worker lost after pg_rewind began would otherwise leave the next attempt only the primary's files. The
 * copies are the server's files as they were (postgresql.auto.conf may hold its replication password), so
 * they get the directory's owner and modes, and go once the rejoin is done.
 */
final class SavedConfiguration {

  /** Included files and conf.d directories are not saved: the files these name stay whatever the rejoin leaves. */
  static final List<String> FILES = List.of("postgresql.conf", "pg_hba.conf", "pg_ident.conf", "postgresql.auto.conf");
  static final String AUTO_CONF = "postgresql.auto.conf";

  private final Map<String, byte[]> files;

  private SavedConfiguration(Map<String, byte[]> files) {
    this.files = files;
  }

  /** The files as they are now in {@code dataDirectory}: those of the four that exist. */
  static SavedConfiguration of(Path dataDirectory) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : FILES) {
      Path file = dataDirectory.resolve(name);
      if (Files.isRegularFile(file)) {
        files.put(name, Files.readAllBytes(file));
      }
    }
    return new SavedConfiguration(files);
  }

  /** The copies an earlier {@link #saveTo} left; empty when there are none. */
  static Optional<SavedConfiguration> readFrom(Path copies) throws IOException {
    return Files.isDirectory(copies) ? Optional.of(of(copies)) : Optional.empty();
  }

  /** Writes the copies into {@code copies} (written whole beside it, then renamed into place). */
  void saveTo(Path copies, DataDirectoryOwner owner) throws IOException {
    Path temporary = copies.resolveSibling(copies.getFileName() + ".tmp");
    remove(temporary);
    owner.createDirectory(temporary);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      owner.write(temporary.resolve(file.getKey()), file.getValue());
    }
    remove(copies);
    Files.move(temporary, copies, StandardCopyOption.ATOMIC_MOVE);
  }

  static void remove(Path copies) throws IOException {
    if (!Files.exists(copies)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(copies)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  Map<String, byte[]> files() {
    return files;
  }

  String autoConf() {
    byte[] auto = files.get(AUTO_CONF);
    return auto == null ? "" : new String(auto, StandardCharsets.UTF_8);
  }

  /** The server's own primary_conninfo (a standby's), from its postgresql.auto.conf; empty when none or blank. */
  Optional<String> ownPrimaryConninfo() {
    return ConfigLines.value(autoConf(), "primary_conninfo").filter(value -> !value.isBlank());
  }
}
