package io.pgdr.cli.lab;

import io.pgdr.lab.Lab;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which lab: its directory. */
final class LabOptions {

  @Option(names = "--lab-dir", description = "the lab's directory (env PGDR_LAB_DIR; default: <tmp>/pgdr-lab-<user>)")
  Path dir;

  Lab lab() {
    return Lab.at(dir == null ? Lab.defaultDir() : dir);
  }
}
