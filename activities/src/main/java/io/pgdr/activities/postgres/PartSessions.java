package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * JDBC sessions for moving a backup's parts in and out of one server, to any database on it. Unlike
 * the short calls of the failover, a part's COPY or an index build may keep the socket silent for
 * minutes, so there is no socket timeout: a dead server is noticed by TCP keepalive, a stuck call
 * by the activity's heartbeat timeout. SQL errors are sorted by {@link PostgresFailures}, as the
 * failover's are.
 */
public final class PartSessions {

  /** The database every server has, for CREATE/ALTER DATABASE on the others. */
  public static final String MAINTENANCE_DATABASE = "postgres";

  private static final PostgresConnector CONNECTOR = PostgresConnector.forLongCalls();

  private final PostgresServer server;
  private final Credentials credentials;

  private PartSessions(PostgresServer server, Credentials credentials) {
    this.server = server;
    this.credentials = credentials;
  }

  /** Resolves the server's credentials now: a missing Secret or variable fails before any work. */
  public static PartSessions of(CredentialResolver resolver, PostgresServer server) {
    return new PartSessions(server, resolver.forServer(server));
  }

  public PostgresServer server() {
    return server;
  }

  /** For the client programs, which take the password through their environment. */
  public Credentials credentials() {
    return credentials;
  }

  /** A session on {@code database}, autocommit on: connect in 5 s, log in within 10 s, then no read timeout. */
  public Connection open(String database) throws SQLException {
    return CONNECTOR.open(server, database, credentials);
  }

  /** Whether the error is one that passes with time (server down, restarting, full). */
  public static boolean isUnreachable(SQLException e) {
    return PostgresFailures.isUnreachable(e);
  }

  /** The failure an activity raises for {@code e}: retryable only when time could fix it. */
  public ApplicationFailure failure(String action, String database, SQLException e) {
    return PostgresFailures.toFailure(server, database, action, e);
  }
}
