package io.pgdr.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Where the machine's PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) live. */
public final class PostgresBinaries {

  static final String INSTALL_HINT = "install PostgreSQL server programs: apt-get install postgresql";

  private final Path bindir;

  private PostgresBinaries(Path bindir) {
    this.bindir = bindir;
  }

  /**
   * Finds the programs through {@code pg_config --bindir}, else the newest
   * {@code /usr/lib/postgresql/<version>/bin}. As root on Debian a missing PostgreSQL is installed
   * with apt-get, because the lab is useless without it and root may do so unasked.
   */
  public static PostgresBinaries locate() {
    Optional<Path> found = find();
    if (found.isPresent()) {
      return new PostgresBinaries(found.get());
    }
    if (PostgresOsUser.runningAsRoot() && Files.exists(Path.of("/etc/debian_version"))) {
      System.err.println("installing PostgreSQL (apt-get install postgresql)");
      aptGetInstall();
      return find().map(PostgresBinaries::new).orElseThrow(() -> new LabException(
          "apt-get installed postgresql but initdb is still not found; " + INSTALL_HINT));
    }
    throw new LabException("PostgreSQL server programs (initdb, pg_ctl) not found; " + INSTALL_HINT);
  }

  /** True when the programs are there; never installs anything (for test guards). */
  public static boolean present() {
    return find().isPresent();
  }

  public Path bin(String program) {
    return bindir.resolve(program);
  }

  public Path bindir() {
    return bindir;
  }

  private static Optional<Path> find() {
    return fromPgConfig().or(PostgresBinaries::newestDebianBindir);
  }

  private static Optional<Path> fromPgConfig() {
    try {
      Process process = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) {
        return withInitdb(Path.of(out));
      }
    } catch (IOException e) {
      // no pg_config on PATH: fall back to the Debian layout
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  private static Optional<Path> newestDebianBindir() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .sorted(Comparator.comparingDouble((Path v) -> Double.parseDouble(v.getFileName().toString())).reversed())
          .map(v -> v.resolve("bin"))
          .flatMap(bin -> withInitdb(bin).stream())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  // libpq-dev's pg_config can exist without the server package, so insist on initdb
  private static Optional<Path> withInitdb(Path bindir) {
    return Files.isExecutable(bindir.resolve("initdb")) ? Optional.of(bindir) : Optional.empty();
  }

  private static void aptGetInstall() {
    try {
      ProcessBuilder apt = new ProcessBuilder("apt-get", "install", "-y", "postgresql")
          .redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      apt.environment().put("DEBIAN_FRONTEND", "noninteractive");
      int exit = apt.start().waitFor();
      if (exit != 0) {
        throw new LabException("apt-get install postgresql failed (exit " + exit
            + "); run 'apt-get update && apt-get install postgresql' and retry");
      }
    } catch (IOException e) {
      throw new LabException("cannot run apt-get: " + e.getMessage() + "; " + INSTALL_HINT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while installing PostgreSQL", e);
    }
  }
}
