package io.pgdr.cli.drill;

import io.pgdr.cli.CliException;
import io.pgdr.cli.backup.BackupTargets;
import io.pgdr.target.DatabaseTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The databases a drill command is about: one target file, or every target file of a directory. */
final class DrillTargets {

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  static final class Which {
    @Option(names = "--target", paramLabel = "FILE", description = "target file (YAML) of the database, with its backups")
    Path file;

    @Option(names = "--targets", paramLabel = "DIR", description = "a directory of target files (*.yaml, *.yml): every database in it")
    Path directory;
  }

  boolean fleet() {
    return which.directory != null;
  }

  /** A name for the drills of these databases: the directory's, or the one database's namespace.statefulSet. */
  String name() {
    if (fleet()) {
      return which.directory.toAbsolutePath().normalize().getFileName().toString().toLowerCase(java.util.Locale.ROOT)
          .replaceAll("[^a-z0-9.-]", "-");
    }
    DatabaseTarget target = read().get(0);
    return target.namespace() + "." + target.statefulSet();
  }

  /** The targets, each valid and with backups; two files naming one database are refused. */
  List<DatabaseTarget> read() {
    if (!fleet()) {
      return List.of(valid(which.file));
    }
    List<Path> files;
    try (Stream<Path> listed = Files.list(which.directory)) {
      files = listed.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw CliException.badInput("--targets " + which.directory + ": " + e.getMessage(), "give a directory of target files");
    }
    if (files.isEmpty()) {
      throw CliException.badInput("--targets " + which.directory + " holds no target file (*.yaml, *.yml)", "see docs/target.md");
    }
    List<DatabaseTarget> targets = new ArrayList<>();
    Map<String, Path> byDrill = new HashMap<>();
    for (Path file : files) {
      DatabaseTarget target = valid(file);
      Path other = byDrill.putIfAbsent(target.drillWorkflowId(), file);
      if (other != null) {
        throw CliException.badInput(file + " and " + other + " both name " + target.namespace() + "/" + target.statefulSet(),
            "keep one target file per database in " + which.directory);
      }
      targets.add(target);
    }
    return targets;
  }

  private static DatabaseTarget valid(Path file) {
    DatabaseTarget target = BackupTargets.read(file);
    if (!target.problems().isEmpty()) {
      throw CliException.badInput("target " + file + " is not valid: " + String.join("; ", target.problems()), "see docs/target.md");
    }
    return target;
  }
}
