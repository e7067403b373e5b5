package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.lab.LabException;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The lab's primary and standby as activities see them: {@link PostgresServer}s whose password
 * comes from an environment variable the test supplies, so no Kubernetes is involved.
 */
final class LabServers implements AutoCloseable {

  static final String PASSWORD_ENV = "PGDR_TEST_PASSWORD";

  final PostgresPair pair;
  final PostgresActivitiesImpl activities;

  private LabServers(PostgresPair pair) {
    this.pair = pair;
    this.activities = new PostgresActivitiesImpl(
        CredentialResolver.fromEnvironment(Map.of(PASSWORD_ENV, pair.password())::get));
  }

  static LabServers create(Path dir) {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(),
        "install PostgreSQL server programs: apt-get install postgresql");
    try {
      return new LabServers(PostgresPair.create(dir.resolve("pair"), progress -> { }));
    } catch (LabException e) {
      // The lab picks free ports before the servers bind them; another process on this machine
      // (a parallel build's lab) can take one in between. One fresh attempt absorbs that race.
      System.err.println("PostgreSQL pair did not start, retrying once: " + e.getMessage().strip());
      printServerLogs(dir.resolve("pair"));
      return new LabServers(PostgresPair.create(dir.resolve("pair-retry"), progress -> { }));
    }
  }

  private static void printServerLogs(Path pairDir) {
    for (String node : new String[] {"postgresql-0", "postgresql-1"}) {
      Path log = pairDir.resolve(node).resolve("server.log");
      try {
        System.err.println("--- " + log + "\n" + Files.readString(log));
      } catch (IOException missing) {
        // a node that never started has no log
      }
    }
  }

  PostgresServer primary() {
    return server(pair.primary());
  }

  PostgresServer standby() {
    return server(pair.standby());
  }

  PostgresServer server(PostgresNode node) {
    return server(node, SecretRef.environment(pair.superuser(), PASSWORD_ENV));
  }

  PostgresServer server(PostgresNode node, SecretRef credentials) {
    return new PostgresServer(node.name(), node.host(), node.port(), pair.database(), "fabrica-agentes", credentials);
  }

  /** An application's write, in a session of its own. */
  static void insertStory(Connection connection, String title) throws SQLException {
    try (var insert = connection.prepareStatement("INSERT INTO stories (title) VALUES (?)")) {
      insert.setString(1, title);
      insert.executeUpdate();
    }
  }

  static long count(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); var rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  static String text(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); var rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Override
  public void close() {
    pair.close();
  }
}
