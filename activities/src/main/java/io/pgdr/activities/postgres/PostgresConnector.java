package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.ports.PostgresServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.postgresql.Driver;

/**
 * Opens one JDBC connection to one pod's server. A connection per activity call, because each
 * call targets a different pod that may be dead, and a pool would hold sockets to it. Every
 * connection is bounded while it is made (TCP connect, then the whole login), so a dead pod or one
 * that accepts and never answers is a quick "unreachable" instead of a hung activity; after login
 * the read timeout is the connector's own: seconds for short calls, none for long ones.
 */
public final class PostgresConnector {

  public static final String APPLICATION_NAME = "pgdr";

  /** The JDBC contract wants an executor for setNetworkTimeout; pgjdbc runs nothing on it. */
  private static final Executor DIRECT = Runnable::run;

  private final Duration connectTimeout;
  private final Duration readTimeout;

  /**
   * @param connectTimeout the TCP connect; the login (TLS, authentication, startup) gets twice as long
   * @param readTimeout how long a statement may keep the socket silent after login; zero means no limit
   */
  public PostgresConnector(Duration connectTimeout, Duration readTimeout) {
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
  }

  /** Inspection, fencing, promotion: connect in 3 s, and no statement may leave the socket silent for more than 30 s. */
  public static PostgresConnector forShortCalls() {
    return new PostgresConnector(Duration.ofSeconds(3), Duration.ofSeconds(30));
  }

  /**
   * Verification, row counts, restores: connect in 5 s, then no read timeout, since a count or a
   * COPY may keep the socket silent for minutes; TCP keepalive notices a dead server, the
   * activity's heartbeat or start-to-close timeout a stuck one.
   */
  public static PostgresConnector forLongCalls() {
    return new PostgresConnector(Duration.ofSeconds(5), Duration.ZERO);
  }

  Connection open(PostgresServer server, Credentials credentials) throws SQLException {
    return open(server, server.database(), credentials);
  }

  /** A connection to {@code database} on the server (any database, not only the target's). */
  public Connection open(PostgresServer server, String database, Credentials credentials) throws SQLException {
    long connectSeconds = Math.max(1, connectTimeout.toSeconds());
    long loginSeconds = connectSeconds * 2;
    Properties props = new Properties();
    props.setProperty("user", credentials.user());
    props.setProperty("password", credentials.password());
    props.setProperty("ApplicationName", APPLICATION_NAME);
    props.setProperty("connectTimeout", Long.toString(connectSeconds));
    // login covers connect + TLS + authentication + startup; a server stuck in any of them must not hang us
    props.setProperty("loginTimeout", Long.toString(loginSeconds));
    // and bounds each read of the login too, so the driver's login thread does not outlive it
    props.setProperty("socketTimeout", Long.toString(loginSeconds));
    props.setProperty("tcpKeepAlive", "true");
    if (server.host() == null || server.host().isBlank()) {
      // a pod just created, Pending, or on a lost node has no IP: unreachable, as a refused connection is
      throw new SQLException("pod " + server.pod() + " has no address yet (no pod IP)", "08001");
    }
    String url = jdbcUrl(server, database);
    Connection connection = new Driver().connect(url, props);
    if (connection == null) {
      throw new SQLException("PostgreSQL driver rejected URL " + url);
    }
    try {
      connection.setNetworkTimeout(DIRECT, (int) readTimeout.toMillis());
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  static String jdbcUrl(PostgresServer server, String database) {
    String host = server.host();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    // the name goes in the URL path: encode what a URL cannot hold literally
    String path = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    return "jdbc:postgresql://" + host + ":" + server.port() + "/" + path;
  }
}
