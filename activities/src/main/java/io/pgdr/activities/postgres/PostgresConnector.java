package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.ports.PostgresServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Opens one JDBC connection to one pod's server. A connection per activity call, because each
 * call targets a different pod that may be dead, and a pool would hold sockets to it; the short
 * connect timeout turns a dead pod into a quick "unreachable" instead of a hung activity.
 */
public final class PostgresConnector {

  public static final String APPLICATION_NAME = "pgdr";

  private final Duration connectTimeout;
  private final Duration socketTimeout;

  public PostgresConnector(Duration connectTimeout, Duration socketTimeout) {
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
  }

  /** Connect in 3 s, and no statement may leave the socket silent for more than 30 s. */
  public static PostgresConnector withDefaultTimeouts() {
    return new PostgresConnector(Duration.ofSeconds(3), Duration.ofSeconds(30));
  }

  Connection open(PostgresServer server, Credentials credentials) throws SQLException {
    return open(server, server.database(), credentials);
  }

  /**
   * A connection to {@code database} on the server (any database, not only the target's). A
   * socket timeout of zero means none, for calls that may keep the socket silent for minutes (a
   * COPY, an index build); TCP keepalive then notices a dead server.
   */
  public Connection open(PostgresServer server, String database, Credentials credentials) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", credentials.user());
    props.setProperty("password", credentials.password());
    props.setProperty("ApplicationName", APPLICATION_NAME);
    props.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
    // login covers connect + authentication + startup; a server stuck in startup must not hang us
    props.setProperty("loginTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds() * 2)));
    if (!socketTimeout.isZero()) {
      props.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toSeconds())));
    }
    props.setProperty("tcpKeepAlive", "true");
    String url = jdbcUrl(server, database);
    Connection connection = new Driver().connect(url, props);
    if (connection == null) {
      throw new SQLException("PostgreSQL driver rejected URL " + url);
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
