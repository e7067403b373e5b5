package io.pgdr.activities.backup;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.credentials.CredentialsUnavailableException;
import io.pgdr.activities.postgres.PostgresConnector;
import io.pgdr.ports.BackupFailures;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;

/**
 * JDBC sessions for moving a backup's parts in and out of one server, to any database on it. Unlike
 * the short calls of the failover, a part's COPY or an index build may keep the socket silent for
 * minutes, so there is no socket timeout: a dead server is noticed by TCP keepalive, a stuck call
 * by the activity's heartbeat timeout. Also sorts SQL errors by what a retry could change, with the
 * same failure types as the failover's PostgreSQL activities.
 */
public final class PartSessions {

  /** The database every server has, for CREATE/ALTER DATABASE on the others. */
  public static final String MAINTENANCE_DATABASE = "postgres";

  static final String UNREACHABLE = "ServerUnreachable";
  static final String CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable";
  static final String DATABASE_MISSING = "DatabaseMissing";
  static final String PERMISSION_DENIED = "PermissionDenied";
  static final String SQL_FAILED = "SqlFailed";

  // 57P01-03: shut down by an admin, crash recovery, still starting; 53300: too many connections.
  private static final Set<String> PASSING = Set.of("57P01", "57P02", "57P03", "53300");
  private static final String PROTOCOL_VIOLATION = "08P01";

  private final PostgresServer server;
  private final Credentials credentials;

  private PartSessions(PostgresServer server, Credentials credentials) {
    this.server = server;
    this.credentials = credentials;
  }

  /** Resolves the server's credentials now: a missing Secret or variable fails before any work. */
  public static PartSessions of(CredentialResolver resolver, PostgresServer server) {
    try {
      return new PartSessions(server, resolver.resolve(server.credentials(), server.namespace()));
    } catch (CredentialsUnavailableException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "credentials for " + server.pod() + ": " + e.getMessage(), CREDENTIALS_UNAVAILABLE);
    }
  }

  public PostgresServer server() {
    return server;
  }

  /** For the client programs, which take the password through their environment. */
  public Credentials credentials() {
    return credentials;
  }

  /** A session on {@code database}, autocommit on. */
  public Connection open(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", credentials.user());
    props.setProperty("password", credentials.password());
    props.setProperty("ApplicationName", PostgresConnector.APPLICATION_NAME);
    props.setProperty("connectTimeout", "5");
    props.setProperty("loginTimeout", "10");
    props.setProperty("tcpKeepAlive", "true");
    Connection connection = new Driver().connect(jdbcUrl(database), props);
    if (connection == null) {
      throw new SQLException("PostgreSQL driver rejected URL " + jdbcUrl(database));
    }
    return connection;
  }

  private String jdbcUrl(String database) {
    String host = server.host().contains(":") && !server.host().startsWith("[") ? "[" + server.host() + "]" : server.host();
    // the name goes in the URL path: encode what a URL cannot hold literally
    String path = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    return "jdbc:postgresql://" + host + ":" + server.port() + "/" + path;
  }

  /** Whether the error is one that passes with time (server down, restarting, full). */
  public static boolean isUnreachable(SQLException e) {
    String state = e.getSQLState();
    if (PROTOCOL_VIOLATION.equals(state) && e instanceof PSQLException server && server.getServerErrorMessage() != null) {
      // the server answering that a COPY stream is malformed: the session is fine, the data is not
      return false;
    }
    return state == null || state.startsWith("08") || PASSING.contains(state);
  }

  /** The failure an activity raises for {@code e}: retryable only when time could fix it. */
  public ApplicationFailure failure(String action, String database, SQLException e) {
    String where = server.pod() + " (" + server.address() + ", database " + database + ")";
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("28P01") || state.equals("28000")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(action + ": " + where
          + " refused the credentials of user " + credentials.user() + ": " + e.getMessage(), BackupFailures.CREDENTIALS_REFUSED, e);
    }
    if (state.equals("3D000")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(action + ": " + where + ": " + e.getMessage(), DATABASE_MISSING, e);
    }
    if (state.equals("42501")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + ": the configured user lacks a privilege: " + e.getMessage(), PERMISSION_DENIED, e);
    }
    if (isUnreachable(e)) {
      return ApplicationFailure.newFailureWithCause(action + ": " + where + " is unreachable: " + e.getMessage(), UNREACHABLE, e);
    }
    return ApplicationFailure.newFailureWithCause(action + ": " + where + ": SQLSTATE " + state + ": " + e.getMessage(), SQL_FAILED, e);
  }
}
