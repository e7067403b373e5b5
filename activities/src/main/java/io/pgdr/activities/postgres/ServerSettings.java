package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.ports.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Server settings as {@code SHOW} gives them (pg_settings), read with the target's credentials. */
public final class ServerSettings {

  private ServerSettings() {}

  /** @throws IllegalStateException when the server does not answer, with why */
  public static Map<String, String> read(CredentialResolver credentials, PostgresServer server, List<String> names) {
    try (Connection connection = PostgresConnector.forShortCalls().open(server, credentials.resolve(server.credentials(), server.namespace()));
         PreparedStatement query = connection.prepareStatement("SELECT name, setting FROM pg_settings WHERE name = ANY (?)")) {
      query.setArray(1, connection.createArrayOf("text", names.toArray()));
      Map<String, String> settings = new LinkedHashMap<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          settings.put(rows.getString(1), rows.getString(2));
        }
      }
      return settings;
    } catch (SQLException e) {
      throw new IllegalStateException("settings of " + server.pod() + ": " + e.getMessage(), e);
    }
  }
}
