package io.pgdr.cli;

import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.TargetYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a target file; every way it can be wrong is bad input with the path in the message. */
final class TargetFiles {

  private TargetFiles() {}

  static DatabaseTarget read(Path file) {
    try {
      return TargetYaml.parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw CliException.badInput("target file " + file + " does not exist",
          "pass --target with the YAML file describing the database (the lab writes one: pgdr lab status)");
    } catch (IOException e) {
      throw CliException.badInput("cannot read target file " + file + ": " + e.getMessage(), null);
    }
  }
}
