package io.pgdr.activities.pitr;

import io.pgdr.activities.backup.BaseBackupTaker;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresPair;
import io.pgdr.ports.BaseBackupResult;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SecretRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real primary archiving its WAL into a real S3-compatible store with pgdr's archive command, as
 * a team sets it up (runbook 000 D's layout), plus what a point-in-time recovery test needs: base
 * backups, fresh data directories owned by the server's account, and servers started on them.
 */
final class ArchivingServer implements AutoCloseable {

  static final String PASSWORD_ENV = "PGDR_TEST_PASSWORD";
  private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "..", "deploy", "archive", "pgdr-archive-wal")
      .toAbsolutePath().normalize();

  final Path dir;
  final S3Fixture s3;
  final PostgresPair pair;
  final BackupLocation location;
  private final List<Path> started = new ArrayList<>();

  private ArchivingServer(Path dir, S3Fixture s3, PostgresPair pair, BackupLocation location) {
    this.dir = dir;
    this.s3 = s3;
    this.pair = pair;
    this.location = location;
  }

  /** @param archiveCommand null for pgdr's; else a team's own, with {@code %p %f} and {@code {wal}} for the WAL directory's URL */
  static ArchivingServer start(Path dir, String archiveCommand) throws Exception {
    S3Fixture s3 = S3Fixture.start(dir.resolve("s3"));
    PostgresPair pair = PostgresPair.create(dir.resolve("pair"), progress -> { });
    BackupLocation location = s3.freshLocation();
    Path config = dir.resolve("archive-wal.conf");
    Files.writeString(config, "PGDR_WAL_BUCKET=" + location.bucket() + "\nPGDR_WAL_PREFIX=" + location.prefix()
        + "\nPGDR_S3_ENDPOINT=" + s3.store().endpoint() + "\nAWS_ACCESS_KEY_ID=lab\nAWS_SECRET_ACCESS_KEY=lab-secret\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    Files.setOwner(config, postgresUser());
    String command = archiveCommand != null ? archiveCommand.replace("{wal}", s3.store().endpoint() + "/" + location.bucket() + "/"
        + location.prefix() + "wal/") : SCRIPT + " -c " + config + " %p %f";
    try (Connection primary = pair.primary().connect("postgres"); Statement statement = primary.createStatement()) {
      statement.execute("ALTER SYSTEM SET archive_mode = on");
      statement.execute("ALTER SYSTEM SET archive_command = '" + command.replace("'", "''") + "'");
      statement.execute("CREATE TABLE marks (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    }
    pair.primary().stopFast();
    pair.primary().start();
    return new ArchivingServer(dir, s3, pair, location);
  }

  static UserPrincipal postgresUser() throws IOException {
    return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
  }

  CredentialResolver credentials() {
    return CredentialResolver.fromEnvironment(Map.of(PASSWORD_ENV, pair.password())::get);
  }

  PostgresServer server(int port) {
    return new PostgresServer("restored", "127.0.0.1", port, "postgres", "fabrica-agentes", SecretRef.environment(pair.superuser(), PASSWORD_ENV));
  }

  /** Inserts rows {@code from..to} of marks, each its own transaction. */
  void insert(int from, int to) throws SQLException {
    try (Connection primary = pair.primary().connect("postgres"); Statement statement = primary.createStatement()) {
      for (int n = from; n <= to; n++) {
        statement.execute("INSERT INTO marks (n) VALUES (" + n + ")");
      }
    }
  }

  /** Inserts row {@code n} of marks in a transaction of its own; returns that transaction's id. */
  String insertReturningXid(int n) throws SQLException {
    return sql("INSERT INTO marks (n) VALUES (" + n + ") RETURNING txid_current()::text");
  }

  String sql(String query) throws SQLException {
    try (Connection primary = pair.primary().connect("postgres"); Statement statement = primary.createStatement();
         ResultSet row = statement.executeQuery(query)) {
      row.next();
      return row.getString(1);
    }
  }

  BaseBackupResult baseBackup(String label) {
    return new BaseBackupTaker(credentials(), s3.clients(), ClientPrograms.locate())
        .take(location, new PostgresServer(pair.primary().name(), pair.primary().host(), pair.primary().port(), "postgres",
            "fabrica-agentes", SecretRef.environment(pair.superuser(), PASSWORD_ENV)), label, p -> { });
  }

  /**
   * A base backup as a team takes it by hand (runbook 000 D): {@code pg_basebackup -Ft -z -X stream}
   * into a directory, each file then uploaded as it is under {@code base/<label>/}.
   */
  void teamBaseBackup(String label) throws Exception {
    Path into = dir.resolve("team-base-" + label);
    Files.createDirectory(into);
    Files.setOwner(into, postgresUser());
    run(List.of(PostgresBinaries.locate().bin("pg_basebackup").toString(), "-h", pair.primary().host(), "-p",
        String.valueOf(pair.primary().port()), "-U", pair.superuser(), "-D", into.toString(), "-Ft", "-z", "-X", "stream", "-c", "fast"),
        Map.of("PGPASSWORD", pair.password()));
    try (var files = Files.list(into)) {
      for (Path file : files.toList()) {
        s3.client().putObject(b -> b.bucket(location.bucket()).key(location.prefix() + "base/" + label + "/" + file.getFileName()),
            software.amazon.awssdk.core.sync.RequestBody.fromFile(file));
      }
    }
  }

  /**
   * After a base backup holding rows 1 to 50: rows 51 to 100, a target time a second after them,
   * rows 101 to 150 a second later (on a new segment), all archived. Returns the target time: a
   * recovery to it leaves exactly 100 rows.
   */
  String rowsAroundATargetTime() throws Exception {
    insert(51, 100);
    sql("SELECT pg_switch_wal()");
    Thread.sleep(1100);
    String target = sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    Thread.sleep(1100);
    insert(101, 150);
    archiveAll();
    return target;
  }

  /** Switches to a new segment and waits until every segment up to the switched one is in the store. */
  void archiveAll() {
    pair.primary().archiveWalUpToNow(Duration.ofSeconds(60));
  }


  /** A new, empty directory owned by the server's account, mode 700: what a provisioner gives. */
  DataVolume freshVolume(String name) throws IOException {
    Path path = Files.createDirectory(dir.resolve(name));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
    Files.setOwner(path, postgresUser());
    return new DataVolume("data-" + name, "pv-" + name, path.toString(), "fabrica-agentes", "postgresql");
  }

  /** Starts a server on a data directory, on a port of its own, without waiting: its recovery waits for pgdr's WAL. */
  int startServer(DataVolume volume) throws Exception {
    int port = freePort();
    Path data = Path.of(volume.path());
    // the server's account writes its log; the test reads it
    Path log = Files.createFile(dir.resolve(data.getFileName() + ".log"));
    Files.setOwner(log, postgresUser());
    run(List.of(PostgresBinaries.locate().bin("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(),
        "-o", "-p " + port, "-W", "start"));
    started.add(data);
    return port;
  }

  void stopServer(Path data) throws Exception {
    run(List.of(PostgresBinaries.locate().bin("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
  }

  Connection connect(int port) throws SQLException {
    return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", pair.superuser(), pair.password());
  }

  long count(int port, String query) throws SQLException {
    try (Connection connection = connect(port); Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(query)) {
      row.next();
      return row.getLong(1);
    }
  }

  String log(DataVolume volume) throws IOException {
    Path log = dir.resolve(Path.of(volume.path()).getFileName() + ".log");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  private static void run(List<String> command) throws Exception {
    run(command, Map.of());
  }

  private static void run(List<String> command, Map<String, String> environment) throws Exception {
    List<String> asPostgres = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      asPostgres.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    asPostgres.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(asPostgres).redirectErrorStream(true).directory(Path.of("/").toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    for (Path data : started) {
      try {
        stopServer(data);
      } catch (Exception e) {
        // already stopped (a recovery that ended short stops its server itself)
      }
    }
    pair.close();
    s3.close();
  }
}
