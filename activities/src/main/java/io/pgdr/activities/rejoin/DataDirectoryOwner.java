package io.pgdr.activities.rejoin;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The OS user that owns a data directory, and running as it. PostgreSQL's programs (pg_ctl, pg_rewind,
 * postgres) refuse root and must work as the directory's owner, so a worker running as root runs them
 * through {@code setpriv} with the owner's numeric ids (the worker's image need not know the name);
 * any other worker runs them as itself. Files pgdr writes get the owner too, with initdb's modes.
 */
final class DataDirectoryOwner {

  static final boolean RUNS_AS_ROOT = new com.sun.security.auth.module.UnixSystem().getUid() == 0;

  private final int uid;
  private final int gid;
  private final boolean root;

  private DataDirectoryOwner(int uid, int gid, boolean root) {
    this.uid = uid;
    this.gid = gid;
    this.root = root;
  }

  static DataDirectoryOwner of(Path directory) throws IOException {
    return new DataDirectoryOwner((Integer) Files.getAttribute(directory, "unix:uid"), (Integer) Files.getAttribute(directory, "unix:gid"),
        RUNS_AS_ROOT);
  }

  /** The builder's program run as the owner, from {@code /} (the owner may not reach the worker's working directory). */
  ProcessBuilder runAsOwner(ProcessBuilder builder) {
    if (root && uid != 0) {
      List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
      command.addAll(builder.command());
      builder.command(command);
    }
    return builder.directory(new File("/")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
  }

  /** Mode 600 (700 for a directory) and, when this process may change it, the owner's user and group. */
  void give(Path path) throws IOException {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwx------" : "rw-------"));
    if (!root) {
      return;
    }
    if ((Integer) Files.getAttribute(path, "unix:uid") != uid) {
      Files.setAttribute(path, "unix:uid", uid);
    }
    if ((Integer) Files.getAttribute(path, "unix:gid") != gid) {
      Files.setAttribute(path, "unix:gid", gid);
    }
  }

  /** Writes a whole file (replacing it) and gives it to the owner. */
  void write(Path file, byte[] content) throws IOException {
    Files.write(file, content);
    give(file);
  }

  void createDirectory(Path directory) throws IOException {
    Files.createDirectory(directory);
    give(directory);
  }

  @Override
  public String toString() {
    return "uid " + uid + ", gid " + gid;
  }
}
