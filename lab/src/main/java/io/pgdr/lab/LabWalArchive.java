package io.pgdr.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * The lab's WAL archive: its servers run pgdr's own archive_command, deploy/archive/pgdr-archive-wal
 * (on the lab module's class path, written out into the lab directory), which stores each finished
 * segment in the lab's S3 store under {@code fabrica-agentes-backups/db/wal/<segment>}, where PITR
 * reads it. The command's settings file names the store's endpoint, so the daemon writes it once the
 * store is up; until then the command fails, and PostgreSQL keeps the segments and retries.
 */
final class LabWalArchive {

  static final String SCRIPT = "pgdr-archive-wal";
  static final String CONFIG = "archive-wal.conf";
  // S3Mock checks no signature, but the script requires keys: values nobody could take for real ones
  static final String ACCESS_KEY_ID = "pgdr-lab";
  static final String SECRET_ACCESS_KEY = "pgdr-lab-not-a-secret";

  // the paths stand in double quotes in a shell command that stands in single quotes in postgresql.conf
  private static final Pattern UNQUOTABLE = Pattern.compile("[\"'`$\\\\\n]");

  private final Path labDir;

  LabWalArchive(Path labDir) {
    this.labDir = labDir.toAbsolutePath();
  }

  /** {@code <lab>/pgdr-archive-wal}, executable by the postgres account. */
  Path script() {
    return labDir.resolve(SCRIPT);
  }

  /** {@code <lab>/archive-wal.conf}: bucket, prefix, the store's endpoint and the lab's keys; mode 600, owner postgres. */
  Path config() {
    return labDir.resolve(CONFIG);
  }

  /** The archive_command of the lab's servers: absolute paths, so it works whatever the server's directory. */
  String archiveCommand() {
    for (Path path : new Path[] {script(), config()}) {
      if (UNQUOTABLE.matcher(path.toString()).find()) {
        throw new LabException("the lab directory " + labDir + " has a character the archive_command cannot quote"
            + " (one of \" ' ` $ \\ or a newline); choose another with PGDR_LAB_DIR");
      }
    }
    return "\"" + script() + "\" -c \"" + config() + "\" %p %f";
  }

  /** Writes the script out (again: a lab kept across pgdr versions runs the current one), mode 755. */
  void installScript() {
    try (InputStream in = LabWalArchive.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new LabException(SCRIPT + " is missing from the lab module: rebuild it with Maven");
      }
      Path partial = partial(script());
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
      // a rename: an archiver starting the script meanwhile runs the old file or the new one, never half of one
      Files.move(partial, script(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write " + script() + ": " + e.getMessage(), e);
    }
  }

  /** Points the archive at the store: the next attempt of either server's archiver reads this file. */
  void writeConfig(String s3Endpoint) {
    String settings = String.join("\n",
        "# written by the pgdr lab daemon: where its servers archive their WAL",
        "PGDR_WAL_BUCKET=" + LabTarget.BACKUP_BUCKET,
        "PGDR_WAL_PREFIX=" + LabTarget.BACKUP_PREFIX,
        "PGDR_S3_ENDPOINT=" + s3Endpoint,
        "AWS_ACCESS_KEY_ID=" + ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY=" + SECRET_ACCESS_KEY,
        "");
    Path partial = partial(config());
    try {
      Files.deleteIfExists(partial);
      // mode 600 from the start, as the script's header asks of a file that holds keys
      Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(partial, settings);
      PostgresOsUser.own(partial);
      Files.move(partial, config(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write " + config() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes the settings file of an earlier run, before the servers start: until this run's store is
   * up, the command fails rather than sending segments to a port some other process may hold now.
   */
  void removeConfig() {
    try {
      Files.deleteIfExists(config());
    } catch (IOException e) {
      throw new LabException("cannot remove " + config() + ": " + e.getMessage(), e);
    }
  }

  private static Path partial(Path file) {
    return file.resolveSibling(file.getFileName() + ".partial");
  }
}
