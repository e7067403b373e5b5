package io.pgdr.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A real primary ({@code postgresql-0}) and streaming standby ({@code postgresql-1}) on loopback,
 * created from the machine's PostgreSQL programs under one directory. The servers are detached
 * processes: they outlive this object until {@link #close()} or {@link PostgresNode#stopFast()}.
 */
public final class PostgresPair implements AutoCloseable {

  static final String LAYOUT_FILE = "pair.json";
  private static final String SUPERUSER = "postgres";
  public static final String DATABASE = "fabrica_db";
  private static final String PASSWORD_FILE = "password";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What {@link #open} needs to find the servers again; the password lives in its own 600 file.
   *
   * @param archiveCommand the servers' archive_command; null when they do not archive (and in a
   *     layout written before the lab archived)
   */
  record Layout(String superuser, String database, List<NodeLayout> nodes, String archiveCommand) {}

  record NodeLayout(String name, int port) {}

  private final Path dir;
  private final String password;
  private final List<PostgresNode> nodes;
  /** Null when the servers do not archive their WAL. */
  private final String archiveCommand;

  private PostgresPair(Path dir, String password, List<PostgresNode> nodes, String archiveCommand) {
    this.dir = dir;
    this.password = password;
    this.nodes = List.copyOf(nodes);
    this.archiveCommand = archiveCommand;
  }

  /**
   * Creates, starts and seeds both servers; returns once the standby streams from the primary. The
   * servers do not archive their WAL: a pair without a store to archive into would fail every
   * attempt and keep every segment.
   */
  public static PostgresPair create(Path dir, Consumer<String> progress) {
    return create(dir, null, progress);
  }

  /**
   * {@link #create}, with both servers archiving each finished WAL segment through the command (the
   * standby once it is promoted), as does a server the lab initialises later on a new volume.
   *
   * @param archiveCommand an archive_command, with PostgreSQL's %p and %f
   */
  static PostgresPair createArchiving(Path dir, String archiveCommand, Consumer<String> progress) {
    return create(dir, Objects.requireNonNull(archiveCommand, "archiveCommand"), progress);
  }

  private static PostgresPair create(Path dir, String archiveCommand, Consumer<String> progress) {
    PostgresBinaries binaries = PostgresBinaries.locate();
    if (Files.exists(dir.resolve(LAYOUT_FILE))) {
      throw new LabException(dir + " already holds a PostgreSQL pair; open it, or delete the directory first");
    }
    String password = randomPassword();
    Path passwordFile = dir.resolve(PASSWORD_FILE);
    PostgresNode primary;
    PostgresNode standby;
    try {
      Files.createDirectories(dir);
      PostgresOsUser.makeReachable(dir);
      Files.writeString(passwordFile, password + "\n");
      Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
      PostgresOsUser.own(passwordFile);
      primary = newNode(dir, "postgresql-0", 0, binaries, password);
      standby = newNode(dir, "postgresql-1", 0, binaries, password);
    } catch (IOException e) {
      throw new LabException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    PostgresPair pair = new PostgresPair(dir, password, List.of(primary), archiveCommand);
    try {
      progress.accept("initdb " + primary.name());
      pair.initdb(binaries, primary);
      // the port is taken only now, after initdb's seconds: one chosen before may meanwhile be another connection's local port
      primary = new PostgresNode(primary.name(), freePort(), dir.resolve(primary.name()), binaries, SUPERUSER, password);
      pair = new PostgresPair(dir, password, List.of(primary), archiveCommand);
      progress.accept("starting " + primary.name() + " (port " + primary.port() + ")");
      pair.startNewPrimary(primary);
      progress.accept("seeding " + DATABASE + " on " + primary.name());
      seed(primary);
      progress.accept("pg_basebackup " + standby.name());
      PostgresOsUser.run(List.of(binaries.bin("pg_basebackup").toString(), "-h", primary.host(),
          "-p", String.valueOf(primary.port()), "-U", SUPERUSER, "-D", standby.dataDir().toString(),
          "-R", "-X", "stream", "-c", "fast", "--no-sync"), Map.of("PGPASSWORD", password), Duration.ofMinutes(2));
      // the port is taken only now: one chosen seconds earlier may meanwhile be another connection's local port
      standby = new PostgresNode(standby.name(), freePort(), dir.resolve(standby.name()), binaries, SUPERUSER, password);
      pair = new PostgresPair(dir, password, List.of(primary, standby), archiveCommand);
      // later settings win: the copy keeps the primary's configuration (archiving too) but its own port
      appendConfig(standby, "port = " + standby.port() + "\n");
      progress.accept("starting " + standby.name() + " (port " + standby.port() + ")");
      standby.start();
      progress.accept("waiting for " + standby.name() + " to stream from " + primary.name());
      pair.awaitStreaming(Duration.ofSeconds(30));
      pair.writeLayout();
      progress.accept("PostgreSQL pair ready: " + primary + " (primary), " + standby + " (standby)");
      return pair;
    } catch (RuntimeException e) {
      pair.close();
      throw e;
    }
  }

  /** Reattaches to a pair created earlier in {@code dir}, running or not. */
  public static PostgresPair open(Path dir) {
    Path layoutFile = dir.resolve(LAYOUT_FILE);
    if (!Files.exists(layoutFile)) {
      throw new LabException("no PostgreSQL pair in " + dir + " (missing " + LAYOUT_FILE + "); create the lab first");
    }
    try {
      Layout layout = JSON.readValue(layoutFile.toFile(), Layout.class);
      String password = Files.readString(dir.resolve(PASSWORD_FILE)).strip();
      PostgresBinaries binaries = PostgresBinaries.locate();
      List<PostgresNode> nodes = new ArrayList<>();
      for (NodeLayout node : layout.nodes()) {
        nodes.add(new PostgresNode(node.name(), node.port(), dir.resolve(node.name()), binaries,
            layout.superuser(), password));
      }
      return new PostgresPair(dir, password, nodes, layout.archiveCommand());
    } catch (IOException e) {
      throw new LabException("cannot read the PostgreSQL pair in " + dir + ": " + e.getMessage(), e);
    }
  }

  public PostgresNode primary() {
    return nodes.get(0);
  }

  public PostgresNode standby() {
    return nodes.get(1);
  }

  /** Index is the StatefulSet ordinal: {@code nodes().get(1)} plays pod {@code postgresql-1}. */
  public List<PostgresNode> nodes() {
    return nodes;
  }

  public Path dir() {
    return dir;
  }

  public String superuser() {
    return SUPERUSER;
  }

  public String password() {
    return password;
  }

  public String database() {
    return DATABASE;
  }

  /** Stops both servers: fast, and immediate for one that will not stop fast. */
  @Override
  public void close() {
    for (PostgresNode node : nodes) {
      node.stopFast();
    }
  }

  /**
   * Initialises a new, empty server in the node's data directory (which must be absent or empty)
   * with the pair's superuser and password, starts it as a primary and creates the empty
   * application database: what the postgres image does on its first start on a new volume.
   */
  void initEmptyPrimary(PostgresNode node) {
    initEmptyPrimary(PostgresBinaries.locate(), node);
  }

  private void initEmptyPrimary(PostgresBinaries binaries, PostgresNode node) {
    initdb(binaries, node);
    startNewPrimary(node);
  }

  private void initdb(PostgresBinaries binaries, PostgresNode node) {
    initdb(binaries, node.dataDir(), SUPERUSER, dir.resolve(PASSWORD_FILE));
  }

  /** A new, empty cluster in {@code dataDir}: superuser {@code user}, whose password is in {@code passwordFile}, password logins only. */
  static void initdb(PostgresBinaries binaries, Path dataDir, String user, Path passwordFile) {
    PostgresOsUser.run(List.of(binaries.bin("initdb").toString(), "-D", dataDir.toString(),
        "-U", user, "--pwfile=" + passwordFile, "-A", "scram-sha-256", "-E", "UTF8",
        "--locale=C", "--no-sync"), Map.of(), Duration.ofMinutes(2));
  }

  /** Configures a server initdb just made, on its node's port, starts it and creates the application database. */
  private void startNewPrimary(PostgresNode node) {
    // archiving belongs to the deployment, not to the data: a server on a new volume archives as the first did
    appendConfig(node, ServerConfig.forPrimary(node.port())
        + (archiveCommand == null ? "" : ServerConfig.archiving(archiveCommand)));
    node.start();
    try (Connection connection = node.connect("postgres"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new LabException("cannot create database " + DATABASE + " on " + node.name() + ": " + e.getMessage(), e);
    }
  }

  private static PostgresNode newNode(Path dir, String name, int port, PostgresBinaries binaries, String password)
      throws IOException {
    Path nodeDir = Files.createDirectories(dir.resolve(name));
    PostgresOsUser.own(nodeDir);
    return new PostgresNode(name, port, nodeDir, binaries, SUPERUSER, password);
  }

  private static void appendConfig(PostgresNode node, String settings) {
    try {
      Files.writeString(node.dataDir().resolve("postgresql.conf"), settings,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new LabException("cannot configure " + node.name() + ": " + e.getMessage(), e);
    }
  }

  private static void seed(PostgresNode primary) {
    try (Connection connection = primary.connect(DATABASE)) {
      seed(connection);
    } catch (SQLException e) {
      throw new LabException("cannot seed " + DATABASE + ": " + e.getMessage(), e);
    }
  }

  /** The runbook's table and its first rows, in the lab's database: the plain lab's and the Patroni lab's. */
  static void seed(Connection connection) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE stories (id bigserial PRIMARY KEY, title text NOT NULL,"
          + " created_at timestamptz DEFAULT now())");
      statement.execute("INSERT INTO stories (title) VALUES ('the primary failed at 3 a.m.'),"
          + " ('the standby was promoted'), ('the old primary came back fenced')");
    } catch (SQLException e) {
      throw new LabException("cannot seed " + DATABASE + ": " + e.getMessage(), e);
    }
  }

  private void awaitStreaming(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no connection";
    while (System.nanoTime() < deadline) {
      try (Connection connection = primary().connect("postgres");
           Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery(
               "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
        rows.next();
        if (rows.getInt(1) > 0) {
          return;
        }
        last = "no streaming standby yet";
      } catch (SQLException e) {
        last = e.getMessage();
      }
      sleep(100);
    }
    throw new LabException(standby().name() + " did not start streaming within " + timeout.toSeconds()
        + " s (" + last + "); see " + standby().logFile());
  }

  private void writeLayout() {
    List<NodeLayout> layout = nodes.stream().map(n -> new NodeLayout(n.name(), n.port())).toList();
    try {
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(dir.resolve(LAYOUT_FILE).toFile(), new Layout(SUPERUSER, DATABASE, layout, archiveCommand));
    } catch (IOException e) {
      throw new LabException("cannot write " + dir.resolve(LAYOUT_FILE) + ": " + e.getMessage(), e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new LabException("no free loopback port: " + e.getMessage(), e);
    }
  }

  static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
  }
}
