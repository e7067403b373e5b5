package io.pgdr.worker;

import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.TargetYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The target files alerts map to: every {@code *.yaml} / {@code *.yml} in one directory, read at
 * each alert (so a file added or fixed counts at once). An alert's labels {@code namespace} and
 * {@code statefulset} name the file whose {@code namespace} and {@code statefulSet} are theirs.
 */
final class AlertTargets {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AlertTargets.class);

  private final Path directory;

  AlertTargets(Path directory) {
    this.directory = directory;
  }

  /** The target of {@code namespace/statefulSet}; empty when no valid file names it. Files that do not parse are skipped. */
  Optional<DatabaseTarget> find(String namespace, String statefulSet) {
    for (Path file : files()) {
      try {
        if (Files.size(file) > TargetYaml.MAX_BYTES) {
          continue;
        }
        DatabaseTarget target = TargetYaml.parse(Files.readString(file), file.toString());
        if (namespace.equals(target.namespace()) && statefulSet.equals(target.statefulSet()) && target.problems().isEmpty()) {
          return Optional.of(target);
        }
      } catch (IOException | RuntimeException e) {
        // a broken file must not keep the alerts of other databases from their targets
        log.warn("alert target {} skipped: {}", file, e.getMessage());
      }
    }
    return Optional.empty();
  }

  Path directory() {
    return directory;
  }

  private List<Path> files() {
    try (Stream<Path> listed = Files.list(directory)) {
      return listed.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the alert targets in " + directory, e);
    }
  }
}
