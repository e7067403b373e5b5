package io.pgdr.cli.lab;

import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which lab: its directory. */
final class LabOptions {

  @Option(names = "--lab-dir", description = "the lab's directory (env PGDR_LAB_DIR; default: <tmp>/pgdr-lab-<user>)")
  Path dir;

  Lab lab() {
    return Lab.at(dir == null ? Lab.defaultDir() : dir);
  }

  /** Work on a lab that is up: a drill, a floor measurement. */
  interface OnLab {
    int run(Lab lab, LabStatus status, PrintWriter err) throws Exception;
  }

  /**
   * Brings the lab up (or takes the running one), runs {@code work} on it, and takes the lab down
   * afterwards when {@code down}, whatever became of the work.
   *
   * @return the work's exit code
   */
  int upThenDown(PrintWriter err, boolean down, OnLab work) throws Exception {
    return upThenDown(err, down, false, work);
  }

  /** The same on a Patroni lab ({@code lab up --patroni}) when {@code patroni}. */
  int upThenDown(PrintWriter err, boolean down, boolean patroni, OnLab work) throws Exception {
    Lab lab = lab();
    LabStatus status = lab.up(line -> LabCommand.progress(err, line), patroni);
    try {
      return work.run(lab, status, err);
    } finally {
      if (down) {
        lab.down(line -> LabCommand.progress(err, line));
      }
    }
  }
}
