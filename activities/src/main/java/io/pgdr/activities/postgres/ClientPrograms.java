package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.ports.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PostgreSQL client programs pgdr drives ({@code pg_dump}, {@code pg_restore}): where they
 * are, and a process builder that connects them to one server. The password travels in the
 * child's environment ({@code PGPASSWORD}), never on its command line, where {@code ps} shows it.
 */
public final class ClientPrograms {

  public static final String INSTALL_HINT = "install the PostgreSQL client programs: apt-get install postgresql-client";

  private final Path bindir;

  private ClientPrograms(Path bindir) {
    this.bindir = bindir;
  }

  /** {@code pg_config --bindir}, else the newest {@code /usr/lib/postgresql/<version>/bin}, else PATH. */
  public static ClientPrograms locate() {
    return new ClientPrograms(fromPgConfig().or(ClientPrograms::newestDebianBindir).orElse(null));
  }

  /** The program's path, or its bare name (looked up on PATH) when no bindir was found. */
  public String program(String name) {
    return bindir == null ? name : bindir.resolve(name).toString();
  }

  /**
   * A process running {@code program} with {@code args}, connected to {@code server} (or, with
   * {@code database}, to that database on it) through libpq's environment variables.
   */
  public ProcessBuilder connected(PostgresServer server, String database, Credentials credentials, String program, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(program(program));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("PGHOST", server.host());
    env.put("PGPORT", Integer.toString(server.port()));
    env.put("PGDATABASE", database == null ? server.database() : database);
    env.put("PGUSER", credentials.user());
    env.put("PGPASSWORD", credentials.password());
    env.put("PGAPPNAME", PostgresConnector.APPLICATION_NAME);
    env.put("PGCONNECT_TIMEOUT", "5");
    env.remove("PGSERVICE");
    env.remove("PGPASSFILE");
    return builder;
  }

  /** A process running {@code program} with no server connection (e.g. {@code pg_restore -l}). */
  public ProcessBuilder offline(String program, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(program(program));
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  private static Optional<Path> fromPgConfig() {
    try {
      Process process = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 && Files.isExecutable(Path.of(out, "pg_restore"))) {
        return Optional.of(Path.of(out));
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
          .filter(bin -> Files.isExecutable(bin.resolve("pg_restore")))
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
