package io.pgdr.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * One real PostgreSQL server of the lab: a data directory, a loopback port and the pg_ctl verbs
 * the disaster scenarios need (crash it, restart it fenced, stop it cleanly).
 */
public final class PostgresNode {

  private static final String HOST = "127.0.0.1";
  private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final int port;
  private final Path nodeDir;
  private final PostgresBinaries binaries;
  private final String superuser;
  private final String password;

  PostgresNode(String name, int port, Path nodeDir, PostgresBinaries binaries, String superuser, String password) {
    this.name = name;
    this.port = port;
    this.nodeDir = nodeDir;
    this.binaries = binaries;
    this.superuser = superuser;
    this.password = password;
  }

  /** The pod this server plays, e.g. {@code postgresql-0}. */
  public String name() {
    return name;
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return nodeDir.resolve("data");
  }

  public Path logFile() {
    return nodeDir.resolve("server.log");
  }

  /** Starts the server as its data directory says (primary, or standby if standby.signal is there). */
  public void start() {
    if (isRunning()) {
      return;
    }
    try {
      PostgresOsUser.run(List.of(binaries.bin("pg_ctl").toString(), "-D", dataDir().toString(),
          "-l", logFile().toString(), "-w", "-t", "60", "start"), Map.of(), PG_CTL_TIMEOUT);
    } catch (LabException e) {
      throw new LabException(e.getMessage() + "\n" + name + "'s server log ends:\n" + logTail(), e);
    }
  }

  /** The last lines of the server's log: why it did not start. */
  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Starts the server in recovery, read-only: how a fenced old primary restarts, so it can never
   * take writes that split the history from the promoted replica. A running server is left as is.
   */
  public void startFenced() {
    Path signal = dataDir().resolve("standby.signal");
    try {
      if (!Files.exists(signal)) {
        Files.createFile(signal);
        PostgresOsUser.own(signal);
      }
    } catch (IOException e) {
      throw new LabException("cannot write " + signal + ": " + e.getMessage(), e);
    }
    start();
  }

  /** The crash: no checkpoint, no goodbye to clients, like a node that lost power. */
  public void stopImmediate() {
    stop("immediate");
  }

  /** A clean stop (checkpoint, disconnect clients); falls back to immediate if it hangs. */
  public void stopFast() {
    try {
      stop("fast");
    } catch (LabException e) {
      stopImmediate();
    }
  }

  private void stop(String mode) {
    if (!isRunning()) {
      return;
    }
    PostgresOsUser.Result result = PostgresOsUser.runForResult(List.of(binaries.bin("pg_ctl").toString(),
        "-D", dataDir().toString(), "-m", mode, "-w", "-t", "30", "stop"), Map.of(), PG_CTL_TIMEOUT);
    // a server that died between the check and pg_ctl is stopped all the same
    if (result.exit() != 0 && isRunning()) {
      throw new LabException("pg_ctl stop -m " + mode + " of " + name + " failed: " + result.output().strip());
    }
  }

  /** True while the postmaster named in postmaster.pid is alive. */
  public boolean isRunning() {
    return postmasterPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
  }

  private Optional<Long> postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(dataDir().resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** What a readiness probe ({@code pg_isready}) sees, within two seconds (connect, answer): {@link ReadinessProbe}. */
  public boolean acceptsConnections() {
    return ReadinessProbe.accepts(HOST, port, superuser, Duration.ofSeconds(1));
  }

  /**
   * Switches this server to a new WAL segment and waits until its archiver has stored every segment
   * up to the one it switched from: the archive then holds all that was committed before the call.
   *
   * @throws LabException when the archiver has not got there within {@code within}
   */
  public void archiveWalUpToNow(Duration within) {
    try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
      String last = single(statement, "SELECT pg_walfile_name(pg_current_wal_lsn())");
      statement.execute("SELECT pg_switch_wal()");
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline) {
        String archived = single(statement, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
        // segment names order by their log and segment digits (after the 8 of the timeline)
        if (archived.length() >= 24 && archived.substring(8, 24).compareTo(last.substring(8, 24)) >= 0) {
          return;
        }
        Thread.sleep(100);
      }
      throw new LabException(name + " did not archive " + last + " within " + within.toSeconds() + " s");
    } catch (SQLException e) {
      throw new LabException("cannot switch the WAL of " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while waiting for " + name + "'s archiver", e);
    }
  }

  private static String single(Statement statement, String query) throws SQLException {
    try (var row = statement.executeQuery(query)) {
      row.next();
      return row.getString(1);
    }
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
  }

  /** A superuser connection to a database of this server. */
  public Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", superuser);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("loginTimeout", "5");
    properties.setProperty("ApplicationName", "pgdr-lab");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  @Override
  public String toString() {
    return name + "@" + HOST + ":" + port;
  }
}
