package io.pgdr.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A server that accepts the TCP connection and never says a word (a hung postmaster, a black-holing
 * proxy) fails every kind of connection pgdr opens within its login bound, naming host:port and
 * database, instead of hanging the step.
 */
// waits on silent sockets, using no CPU: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class UnansweredServerTest {

  /** Only a guard against a hang; the login bound is seconds. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private final CredentialResolver credentials = CredentialResolver.fromEnvironment(Map.of("PW", "unused")::get);
  private ServerSocket silent;
  private PostgresServer server;

  @BeforeEach
  void openASocketThatNeverAnswers() throws IOException {
    // the backlog accepts connections; nobody ever reads or writes on them
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server = new PostgresServer("postgresql-0", "127.0.0.1", silent.getLocalPort(), "fabrica_db", "fabrica-agentes",
        SecretRef.environment("postgres", "PW"));
  }

  @AfterEach
  void close() throws IOException {
    silent.close();
  }

  @Test
  void inspectionReportsTheServerUnreachableAtItsAddress() {
    var activities = new PostgresActivitiesImpl(credentials);

    ServerState state = assertTimeoutPreemptively(HANG_GUARD, () -> activities.inspectServer(server));

    assertFalse(state.reachable());
    assertEquals("127.0.0.1:" + silent.getLocalPort(), state.address());
  }

  @Test
  void verificationFailsNamingHostPortAndDatabase() {
    var activities = new PostgresActivitiesImpl(credentials);

    ApplicationFailure failure = assertTimeoutPreemptively(HANG_GUARD,
        () -> assertThrows(ApplicationFailure.class, () -> activities.verifyPrimary(server, List.of("stories"), "run-1")));

    assertEquals(FailureTypes.SERVER_UNREACHABLE, failure.getType());
    assertTrue(failure.getOriginalMessage().startsWith(
        "verify: postgresql-0 (127.0.0.1:" + silent.getLocalPort() + ", database fabrica_db) is unreachable"),
        failure.getOriginalMessage());
  }

  @Test
  void aRestoreSessionFailsNamingHostPortAndDatabase() {
    PartSessions sessions = PartSessions.of(credentials, server);

    SQLException e = assertTimeoutPreemptively(HANG_GUARD,
        () -> assertThrows(SQLException.class, () -> sessions.open("fabrica_db_restore")));
    ApplicationFailure failure = sessions.failure("restore", "fabrica_db_restore", e);

    assertEquals(FailureTypes.SERVER_UNREACHABLE, failure.getType());
    assertTrue(failure.getOriginalMessage().startsWith(
        "restore: postgresql-0 (127.0.0.1:" + silent.getLocalPort() + ", database fabrica_db_restore) is unreachable"),
        failure.getOriginalMessage());
  }
}
