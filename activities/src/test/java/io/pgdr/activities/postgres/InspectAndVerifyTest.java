package io.pgdr.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ReplicationPeer;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-mostly activities against a real primary and streaming standby. One pair for the class:
 * nothing here promotes or fences, and the only writes are pgdr's probe WAL messages, which create nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.Tag("real-servers")
class InspectAndVerifyTest {

  LabServers lab;

  @BeforeAll
  void createPair(@TempDir Path dir) {
    lab = LabServers.create(dir);
  }

  @AfterAll
  void stopPair() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void thePrimaryReportsItsWritePositionAndItsStreamingStandby() throws InterruptedException {
    ServerState state = lab.activities.inspectServer(lab.primary());
    // replay_lsn stays null in pg_stat_replication until the standby's first feedback message
    for (int i = 0; i < 100 && (state.replication().isEmpty() || state.replication().get(0).replayLsn() == null); i++) {
      Thread.sleep(100);
      state = lab.activities.inspectServer(lab.primary());
    }

    assertTrue(state.reachable());
    assertFalse(state.inRecovery());
    assertNotNull(state.currentLsn());
    assertEquals(state.currentLsn(), state.position());
    assertNull(state.replayLsn());
    assertFalse(state.readOnly());
    assertTrue(state.serverVersion().startsWith("15"), state.serverVersion());
    assertEquals(1, state.replication().size(), state.replication().toString());
    ReplicationPeer standby = state.replication().get(0);
    assertEquals("streaming", standby.state());
    assertNotNull(standby.replayLsn());
  }

  @Test
  void theStandbyReportsRecoveryAndWhatItReceivedAndReplayed() {
    ServerState state = lab.activities.inspectServer(lab.standby());

    assertTrue(state.reachable());
    assertTrue(state.inRecovery());
    assertNull(state.currentLsn());
    assertNotNull(state.receiveLsn());
    assertNotNull(state.replayLsn());
    assertEquals(state.replayLsn(), state.position());
    assertEquals(List.of(), state.replication());
  }

  @Test
  void aServerNobodyListensOnIsUnreachableNotAFailure() throws IOException {
    PostgresServer nowhere = withPort(lab.primary(), closedPort());

    ServerState state = lab.activities.inspectServer(nowhere);

    assertFalse(state.reachable());
    assertNotNull(state.error());
    assertEquals(nowhere.address(), state.address());
  }

  @Test
  void promotingAnUnreachableServerIsARetryableFailure() throws IOException {
    PostgresServer nowhere = withPort(lab.standby(), closedPort());

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> lab.activities.promoteServer(nowhere));

    assertEquals(FailureTypes.SERVER_UNREACHABLE, failure.getType());
    assertFalse(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().startsWith("promote: postgresql-1 (127.0.0.1:"), failure.getOriginalMessage());
  }

  @Test
  void aWrongPasswordIsRefusedForGood() {
    PostgresServer wrong = lab.server(lab.pair.primary(), SecretRef.environment("postgres", "WRONG_PASSWORD"));
    var activities = new PostgresActivitiesImpl(
        io.pgdr.activities.credentials.CredentialResolver.fromEnvironment(Map.of("WRONG_PASSWORD", "nope")::get));

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> activities.inspectServer(wrong));

    assertEquals(FailureTypes.CREDENTIALS_REFUSED, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertFalse(failure.getOriginalMessage().contains("nope"));
  }

  @Test
  void anUnsetPasswordVariableIsNamed() {
    PostgresServer unset = lab.server(lab.pair.primary(), SecretRef.environment("postgres", "PGDR_NOT_SET"));

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> lab.activities.fenceServer(unset));

    assertEquals(FailureTypes.CREDENTIALS_UNAVAILABLE, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("PGDR_NOT_SET"), failure.getOriginalMessage());
  }

  @Test
  void thePrimaryPassesVerificationWithADurableWriteThatLeavesNothingInTheDatabase() throws Exception {
    try (Connection connection = lab.pair.primary().connect(lab.pair.database())) {
      String catalogBefore = catalog(connection);
      String walBefore = LabServers.text(connection, "SELECT pg_current_wal_flush_lsn()::text");

      VerificationResult first = lab.activities.verifyPrimary(lab.primary(), List.of("stories"), "run-verify");
      VerificationResult retry = lab.activities.verifyPrimary(lab.primary(), List.of("stories"), "run-verify");

      assertTrue(first.passed(), first.problems().toString());
      assertTrue(first.primary());
      assertTrue(first.probeWritten());
      assertEquals(Map.of("stories", 3L), first.rowCounts());
      assertTrue(retry.passed(), retry.problems().toString());
      assertEquals(catalogBefore, catalog(connection), "no schema, table or other object added to the application's database");
      assertEquals(1, LabServers.count(connection, "SELECT count(*) WHERE pg_current_wal_flush_lsn() > '" + walBefore + "'::pg_lsn"),
          "the probe wrote and flushed WAL");
      assertTrue(lab.activities.verifyPrimary(lab.primary(), List.of(), "run-sessions").connections()
          .contains("pgdr-lab/idle"), "the test's own idle session is listed");
    }
  }

  @Test
  void aPrimaryWhoseSessionsStartReadOnlyFailsTheProbe() throws Exception {
    try (Connection connection = lab.pair.primary().connect(lab.pair.database()); var s = connection.createStatement()) {
      s.execute("ALTER DATABASE " + lab.pair.database() + " SET default_transaction_read_only = on");
      try {
        VerificationResult fenced = lab.activities.verifyPrimary(lab.primary(), List.of("stories"), "run-read-only");

        assertFalse(fenced.probeWritten());
        assertEquals(List.of("the server refuses writes: its sessions start read-only (default_transaction_read_only is on)"),
            fenced.problems());
      } finally {
        s.execute("ALTER DATABASE " + lab.pair.database() + " RESET default_transaction_read_only");
      }
    }
  }

  /** Every object of the database outside the system schemas, and its schemas: what a restore or a verify must not change. */
  private static String catalog(Connection connection) throws Exception {
    return LabServers.text(connection, """
        SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)
               || ' | ' || (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        """);
  }

  @Test
  void anUnknownTableIsAProblemAndTheOtherChecksStillRun() {
    VerificationResult result =
        lab.activities.verifyPrimary(lab.primary(), List.of("stories", "public.no_such_table"), "run-unknown");

    assertEquals(List.of("table public.no_such_table does not exist"), result.problems());
    assertEquals(Map.of("stories", 3L), result.rowCounts());
    assertTrue(result.probeWritten());
  }

  @Test
  void aTableNamedInSqlsQuotedFormIsCounted() throws Exception {
    try (Connection connection = lab.pair.primary().connect(lab.pair.database()); var s = connection.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS \"VendasNorte\"");
      s.execute("CREATE TABLE IF NOT EXISTS \"VendasNorte\".eventos (id int)");
      s.execute("TRUNCATE \"VendasNorte\".eventos");
      s.execute("INSERT INTO \"VendasNorte\".eventos VALUES (1), (2)");
    }
    String written = "\"VendasNorte\".eventos";

    VerificationResult result = lab.activities.verifyPrimary(lab.primary(), List.of(written), "run-quoted");

    assertTrue(result.passed(), result.problems().toString());
    assertEquals(Map.of(written, 2L), result.rowCounts());
  }

  @Test
  void theStandbyFailsVerificationAsStillInRecovery() {
    VerificationResult result = lab.activities.verifyPrimary(lab.standby(), List.of("stories"), "run-standby");

    assertFalse(result.primary());
    assertFalse(result.probeWritten());
    assertEquals(List.of("postgresql-1 is in recovery (still a standby)"), result.problems());
    assertEquals(Map.of("stories", 3L), result.rowCounts());
  }

  private static PostgresServer withPort(PostgresServer server, int port) {
    return new PostgresServer(server.pod(), server.host(), port, server.database(), server.namespace(),
        server.credentials());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
