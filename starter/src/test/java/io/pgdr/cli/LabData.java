package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.lab.PostgresNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The lab's application data as the end-to-end tests write, back up and compare it. */
final class LabData {

  private final LabProcesses processes;

  LabData(LabProcesses processes) {
    this.processes = processes;
  }

  PostgresNode primary() {
    return processes.lab.pair().primary();
  }

  void sql(String statement) throws SQLException {
    try (Connection c = primary().connect(processes.lab.pair().database()); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** {@code pgdr backup run}, as a user types it; returns the new backup's key. */
  String backupRun() throws Exception {
    CliRun backup = processes.pgdr(Duration.ofMinutes(3), "backup", "run", "--target", processes.targetFile(), "--output", "json");
    assertEquals(0, backup.exitCode(), backup.toString());
    JsonNode entry = Json.MAPPER.readTree(backup.out());
    assertTrue(entry.path("valid").asBoolean(), entry.toString());
    Thread.sleep(1100); // backup names are per second
    return entry.path("key").asText();
  }

  String fingerprint() throws SQLException {
    return fingerprint(processes.lab.pair().database());
  }

  /** Every user table's name and the md5 of its rows in order: equal fingerprints, equal data. */
  String fingerprint(String database) throws SQLException {
    List<String> parts = new ArrayList<>();
    try (Connection c = primary().connect(database); Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
          + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")) { // pgdr's own schemas count: none may be left
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rs = s.executeQuery("SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM " + table + " t")) {
          rs.next();
          parts.add(table + ":" + rs.getLong(1) + ":" + rs.getString(2));
        }
      }
    }
    return String.join(" ", parts);
  }

  /** Names of the server's databases matching a LIKE pattern. */
  List<String> databasesLike(String pattern) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = primary().connect("postgres");
         var q = c.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ? ORDER BY 1")) {
      q.setString(1, pattern);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }
}
