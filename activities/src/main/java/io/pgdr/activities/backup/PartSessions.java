package io.pgdr.activities.backup;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.credentials.CredentialsUnavailableException;
import io.pgdr.activities.postgres.PostgresConnector;
import io.pgdr.activities.postgres.PostgresFailures;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;

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
          "credentials for " + server.pod() + ": " + e.getMessage(), PostgresFailures.CREDENTIALS_UNAVAILABLE);
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
    return PostgresFailures.isUnreachable(e);
  }

  /** The failure an activity raises for {@code e}: retryable only when time could fix it. */
  public ApplicationFailure failure(String action, String database, SQLException e) {
    return PostgresFailures.toFailure(server, database, action, e);
  }
}
