package io.pgdr.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.TerminatedSessions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runbook 004 scenario 4 on a real primary: the sessions idle in a transaction past the threshold
 * are listed and ended; a younger one, an active query and pgdr's own session are not, and a
 * session is ended only while it is still the one approved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("real-servers")
class PoolSessionsTest {

  private static final Duration THRESHOLD = Duration.ofSeconds(1);
  private LabServers lab;
  private final List<Connection> clients = new ArrayList<>();

  @BeforeAll
  void createPair(@TempDir Path dir) {
    lab = LabServers.create(dir);
  }

  @AfterAll
  void stop() {
    for (Connection client : clients) {
      try {
        client.close();
      } catch (SQLException gone) {
        // ended by the test
      }
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void oldIdleInTransactionSessionsAreEndedAndNothingElseIs() throws Exception {
    Connection stale = idleInTransaction("fabrica-api");
    Connection own = idleInTransaction("pgdr-probe");
    Connection busy = client("fabrica-workers");
    CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
      try (Statement s = busy.createStatement()) {
        s.execute("SELECT pg_sleep(20)");
      } catch (SQLException ended) {
        // closed when the test ends
      }
    });
    Thread.sleep(THRESHOLD.toMillis() + 500);
    Connection young = idleInTransaction("fabrica-api");
    int stalePid = pid(stale);
    int ownPid = pid(own);
    int busyPid = pid(busy);

    ConnectionsReport report = lab.activities.describeConnections(lab.primary(), THRESHOLD);

    assertTrue(report.maxConnections() > 0 && report.usage() > 0, report.toString());
    assertTrue(report.byState().getOrDefault("idle in transaction", 0) >= 3, report.byState().toString());
    List<Integer> idle = report.idleInTransaction().stream().map(ClientSession::pid).toList();
    assertTrue(idle.contains(stalePid) && idle.contains(ownPid), idle + " lists the old ones");
    assertFalse(idle.contains(pid(young)), "a session idle for less than the threshold is not listed");
    assertTrue(report.longRunning().stream().anyMatch(s -> s.pid() == busyPid && s.query().contains("pg_sleep")),
        report.longRunning().toString());

    // what the approver saw of this test's sessions, and by mistake the running query too: only the stale session may end
    List<Integer> mine = List.of(stalePid, ownPid, busyPid);
    List<ClientSession> approved = new ArrayList<>(report.idleInTransaction());
    approved.addAll(report.longRunning());
    approved.removeIf(s -> !mine.contains(s.pid()));
    TerminatedSessions ended = lab.activities.terminateIdleSessions(lab.primary(), approved, THRESHOLD);

    assertEquals(List.of(stalePid), ended.terminated().stream().map(ClientSession::pid).toList());
    assertTrue(ended.spared().stream().anyMatch(s -> s.startsWith("pid " + ownPid + " (pgdr-probe)")), ended.spared().toString());
    assertTrue(ended.spared().stream().anyMatch(s -> s.startsWith("pid " + busyPid + " (fabrica-workers) is active")),
        ended.spared().toString());
    assertThrows(SQLException.class, () -> stale.createStatement().execute("SELECT 1"), "the stale session was ended");
    assertTrue(young.isValid(2) && own.isValid(2) && !running.isDone(), "the others live on");

    // a retry ends nothing more: the ended session is gone
    TerminatedSessions again = lab.activities.terminateIdleSessions(lab.primary(), approved, THRESHOLD);
    assertEquals(List.of(), again.terminated());
    assertEquals(List.of(stalePid), again.gone().stream().map(ClientSession::pid).toList());
  }

  @Test
  void aSessionThatTookAnApprovedPidIsNeverEnded() throws Exception {
    Connection other = idleInTransaction("fabrica-api");
    Thread.sleep(THRESHOLD.toMillis() + 500);
    ClientSession seen = lab.activities.describeConnections(lab.primary(), THRESHOLD).idleInTransaction().stream()
        .filter(s -> s.pid() == pid(other)).findFirst().orElseThrow();
    // the approver saw a session under this pid that started a minute earlier: not the one there now
    ClientSession approved = new ClientSession(seen.pid(), seen.backendStart().minusSeconds(60), seen.user(), seen.application(),
        seen.clientAddress(), seen.state(), seen.stateSeconds(), seen.query());

    TerminatedSessions ended = lab.activities.terminateIdleSessions(lab.primary(), List.of(approved), THRESHOLD);

    assertEquals(List.of(), ended.terminated());
    assertEquals(1, ended.gone().size());
    assertTrue(other.isValid(2));
  }

  private Connection idleInTransaction(String application) throws SQLException {
    Connection connection = client(application);
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("SELECT count(*) FROM pg_class");
    }
    return connection;
  }

  private Connection client(String application) throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", lab.pair.superuser());
    login.setProperty("password", lab.pair.password());
    login.setProperty("ApplicationName", application);
    Connection connection = DriverManager.getConnection("jdbc:postgresql://" + lab.pair.primary().host() + ":" + lab.pair.primary().port()
        + "/" + lab.pair.database(), login);
    clients.add(connection);
    return connection;
  }

  private static int pid(Connection connection) {
    try {
      return connection.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
