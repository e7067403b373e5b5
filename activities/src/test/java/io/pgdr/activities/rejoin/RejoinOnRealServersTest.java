package io.pgdr.activities.rejoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.lab.LabException;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.StandbyStreaming;
import io.pgdr.run.Lsn;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The rejoin of a stale server on a real pair, one story in order: the standby is promoted, the old
 * primary writes on (three diverged transactions, and pgdr's read-only fence), crashes, and comes back
 * rewound as a standby of the promoted one; then an attempt lost while pg_rewind ran makes the next one
 * copy it afresh, the old directory kept. Each time the server starts on its own port and streams.
 */
@Tag("real-servers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RejoinOnRealServersTest {

  private static final String PASSWORD_ENV = "PGDR_TEST_PASSWORD";

  @TempDir static Path dir;
  static PostgresPair pair;
  static PostgresNode old;
  static PostgresNode promoted;
  static CredentialResolver credentials;
  static RejoinActivitiesImpl rejoin;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  /** Every record the activities returned, for the password check. */
  static final List<Object> returned = new ArrayList<>();

  @BeforeAll
  static void pair() {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(),
        "install PostgreSQL server programs: apt-get install postgresql");
    logs.start();
    root().addAppender(logs);
    try {
      pair = PostgresPair.create(dir.resolve("pair"), progress -> { });
    } catch (LabException e) {
      // a free port picked by the lab may be taken by another process before the server binds it: one fresh attempt
      System.err.println("PostgreSQL pair did not start, retrying once: " + e.getMessage().strip());
      pair = PostgresPair.create(dir.resolve("pair-retry"), progress -> { });
    }
    old = pair.primary();
    promoted = pair.standby();
    credentials = CredentialResolver.fromEnvironment(Map.of(PASSWORD_ENV, pair.password())::get);
    rejoin = new RejoinActivitiesImpl(credentials);
  }

  @AfterAll
  static void stop() {
    root().detachAppender(logs);
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  @Order(1)
  void aDivergedOldPrimaryIsRewoundAndStreamsFromThePromotedStandby() throws Exception {
    // pages enough that the promoted server's own checkpoint, spread over checkpoint_timeout, is minutes away when
    // pg_rewind runs (as on a busy server): until then its control file names the old timeline
    execute(old, PostgresPair.DATABASE, "CREATE TABLE ballast AS SELECT g, repeat('x', 200) AS filler FROM generate_series(1, 20000) g");
    String written = query(old, "SELECT pg_current_wal_lsn()::text");
    awaitTrue(promoted, "SELECT pg_last_wal_replay_lsn() >= '" + written + "'::pg_lsn");
    execute(promoted, "postgres", "SELECT pg_promote()");
    Instant promotedAt = Instant.now().minusSeconds(1);
    try (Connection connection = old.connect(PostgresPair.DATABASE); Statement statement = connection.createStatement()) {
      for (int i = 1; i <= 3; i++) {
        statement.execute("INSERT INTO stories (title) VALUES ('diverged " + i + "')");
      }
      // pgdr's fence of an old primary, in its postgresql.auto.conf
      statement.execute("ALTER SYSTEM SET default_transaction_read_only = on");
    }
    // it crashes, as a failed-over primary does: no shutdown checkpoint, which pg_rewind's dry run refuses until crash recovery ran
    old.stopImmediate();

    Divergence divergence = record(rejoin.inspectDivergence(volume(old), server(old), server(promoted)));

    assertEquals(Divergence.REWIND, divergence.way(), divergence.toString());
    assertNotNull(divergence.forkLsn(), divergence.toString());
    assertEquals(1, divergence.forkTimeline());
    assertEquals(3, divergence.divergedCommits(), divergence.toString());
    assertTrue(divergence.divergedBytes() > 0 && Lsn.parse(divergence.staleEndLsn()) - Lsn.parse(divergence.forkLsn()) == divergence.divergedBytes(),
        divergence.toString());
    assertTrue(!divergence.firstDivergedCommit().isBefore(promotedAt) && !divergence.lastDivergedCommit().isAfter(Instant.now())
        && divergence.firstDivergedCommit().isBefore(divergence.lastDivergedCommit()), divergence.toString());
    assertNull(divergence.rewindRefusal());
    assertTrue(divergence.discarded().startsWith("3 transactions committed "), divergence.discarded());

    RejoinResult result = record(rejoin.rejoinAsStandby(volume(old), server(old), server(promoted), promoted.host() + ":" + promoted.port(), divergence, "run-rewind"));

    assertEquals(new RejoinResult(Divergence.REWIND, null, StandbySettings.FROM_PRIMARY, null), result);
    Path auto = old.dataDir().resolve("postgresql.auto.conf");
    String settings = Files.readString(auto);
    assertFalse(settings.contains("default_transaction_read_only"), "the fence is gone:\n" + settings);
    assertTrue(settings.contains("port=''" + promoted.port() + "''") && settings.contains("application_name=''postgresql-0''"), settings);
    assertOwnedLikeTheDataDirectory(auto, old.dataDir());
    assertOwnedLikeTheDataDirectory(old.dataDir().resolve("standby.signal"), old.dataDir());
    RejoinPaths paths = RejoinPaths.of(old.dataDir(), "run-rewind");
    assertFalse(Files.exists(paths.savedConfiguration()), "the saved configuration goes once done");
    assertEquals(RejoinState.DONE, RejoinState.read(paths.stateFile()).orElseThrow().phase());

    old.start(); // on its own port: it kept its own postgresql.conf, not the promoted one's
    StandbyStreaming streaming = record(rejoin.awaitStreaming(server(promoted), "postgresql-0"));

    assertEquals("streaming", streaming.state());
    assertEquals("t", query(old, "SELECT pg_is_in_recovery()"));
    assertEquals("0", query(old, "SELECT count(*) FROM stories WHERE title LIKE 'diverged%'"), "the diverged writes are gone");
    execute(promoted, PostgresPair.DATABASE, "INSERT INTO stories (title) VALUES ('after the rewind')");
    awaitStory(old, "after the rewind");

    byte[] before = Files.readAllBytes(auto);
    RejoinResult again = record(rejoin.rejoinAsStandby(volume(old), server(old), server(promoted), promoted.host() + ":" + promoted.port(), divergence, "run-rewind"));
    assertEquals(result, again, "done once, the same result");
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(auto)), "and nothing changed");

    ApplicationFailure running = assertThrows(ApplicationFailure.class,
        () -> rejoin.inspectDivergence(volume(old), server(old), server(promoted)));
    assertEquals(FailureTypes.INTERRUPTED, running.getType());
    assertFalse(running.isNonRetryable(), "a server still running is waited for");
    assertTrue(running.getOriginalMessage().contains("its pod is not stopped yet"), running.getOriginalMessage());
  }

  @Test
  @Order(2)
  void aRewindAnEarlierAttemptBeganIsNotTrustedAndTheServerIsCopiedAfresh() throws Exception {
    old.stopFast();
    Divergence follows = record(rejoin.inspectDivergence(volume(old), server(old), server(promoted)));
    assertEquals(Divergence.FOLLOWS, follows.way(), "a streaming standby follows: " + follows);
    assertEquals(0, follows.divergedBytes());
    assertEquals(0, follows.divergedCommits());
    Path data = old.dataDir();
    String ownVersion = Files.readString(data.resolve("PG_VERSION"));

    // an attempt told to rewind (an inspection from before) whose worker is lost as pg_rewind starts
    Divergence beforeItFollowed = new Divergence(Divergence.REWIND, "0/3000000", 1, "0/3000100", 256, 1, null, null, null);
    RejoinActivitiesImpl lostWorker = new RejoinActivitiesImpl(credentials, ClientPrograms.locate(), details -> {
      if (String.valueOf(details).startsWith("pg_rewind of")) {
        throw new IllegalStateException("the worker is lost");
      }
    }, Duration.ofSeconds(5));
    assertThrows(IllegalStateException.class,
        () -> lostWorker.rejoinAsStandby(volume(old), server(old), server(promoted), promoted.host() + ":" + promoted.port(), beforeItFollowed, "run-copy"));
    RejoinPaths paths = RejoinPaths.of(data, "run-copy");
    assertEquals(RejoinState.REWINDING, RejoinState.read(paths.stateFile()).orElseThrow().phase());

    RejoinResult result = record(rejoin.rejoinAsStandby(volume(old), server(old), server(promoted), promoted.host() + ":" + promoted.port(), beforeItFollowed, "run-copy"));

    assertEquals(Divergence.FRESH_COPY, result.way(), result.toString());
    assertEquals(paths.keptDirectory().toString(), result.keptDirectory());
    assertTrue(result.note().contains("began pg_rewind and did not finish"), result.note());
    assertEquals(StandbySettings.FROM_OWN, result.replicationFrom());
    Path kept = Path.of(result.keptDirectory());
    assertEquals(ownVersion, Files.readString(kept.resolve("PG_VERSION")), "the directory before is kept whole beside");
    assertTrue(Files.exists(kept.resolve("global/pg_control")));
    assertFalse(Files.exists(paths.newDirectory()));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    assertEquals(Files.getAttribute(kept, "unix:uid"), Files.getAttribute(data, "unix:uid"));
    assertEquals(Files.getAttribute(kept, "unix:gid"), Files.getAttribute(data, "unix:gid"));
    assertOwnedLikeTheDataDirectory(data.resolve("postgresql.auto.conf"), data);

    old.start();
    assertEquals("streaming", record(rejoin.awaitStreaming(server(promoted), "postgresql-0")).state());
    execute(promoted, PostgresPair.DATABASE, "INSERT INTO stories (title) VALUES ('after the copy')");
    awaitStory(old, "after the copy");
    assertEquals("1", query(old, "SELECT count(*) FROM stories WHERE title = 'after the rewind'"));

    assertEquals(result, record(rejoin.rejoinAsStandby(volume(old), server(old), server(promoted), promoted.host() + ":" + promoted.port(), beforeItFollowed, "run-copy")));
    assertTrue(Files.isDirectory(kept), "the kept directory stays");
  }

  @Test
  @Order(3)
  void thePasswordIsInNoResultNoLogLineAndNoFileBesideTheDataDirectory() throws Exception {
    String password = pair.password();
    assertFalse(returned.isEmpty());
    for (Object record : returned) {
      assertFalse(record.toString().contains(password), record.getClass().getSimpleName() + " shows the password");
    }
    assertFalse(logs.list.isEmpty(), "the rejoin logged");
    for (ILoggingEvent event : logs.list) {
      assertFalse(event.getFormattedMessage().contains(password), "a log line shows the password: " + event.getLoggerName());
    }
    try (Stream<Path> beside = Files.list(old.dataDir().getParent())) {
      for (Path file : beside.filter(p -> p.getFileName().toString().contains(".pgdr-rejoin-")).toList()) {
        assertTrue(Files.isRegularFile(file), "only the state files stay: " + file);
        assertFalse(Files.readString(file).contains(password), file + " holds the password");
      }
    }
  }

  private static <T> T record(T value) {
    returned.add(value);
    return value;
  }

  private static DataVolume volume(PostgresNode node) {
    return new DataVolume("data-" + node.name(), "pv-" + node.name(), node.dataDir().toString(), "fabrica-agentes", "postgresql");
  }

  private static PostgresServer server(PostgresNode node) {
    return new PostgresServer(node.name(), node.host(), node.port(), PostgresPair.DATABASE, "fabrica-agentes",
        SecretRef.environment(pair.superuser(), PASSWORD_ENV));
  }

  private static void assertOwnedLikeTheDataDirectory(Path file, Path data) throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
    assertEquals(Files.getAttribute(data, "unix:uid"), Files.getAttribute(file, "unix:uid"), file.toString());
    assertEquals(Files.getAttribute(data, "unix:gid"), Files.getAttribute(file, "unix:gid"), file.toString());
  }

  private static void execute(PostgresNode node, String database, String sql) throws SQLException {
    try (Connection connection = node.connect(database); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String query(PostgresNode node, String sql) throws SQLException {
    try (Connection connection = node.connect(PostgresPair.DATABASE); Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }

  /** A row written on the primary shows on the standby: it replays what it streams. */
  private static void awaitStory(PostgresNode standby, String title) throws Exception {
    awaitTrue(standby, "SELECT count(*) = 1 FROM stories WHERE title = '" + title + "'");
  }

  private static void awaitTrue(PostgresNode standby, String condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!"t".equals(query(standby, condition))) {
      assertTrue(System.nanoTime() < deadline, "on " + standby.name() + ", still not: " + condition);
      Thread.sleep(100);
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
