package io.pgdr.lab.drill;

import io.pgdr.lab.LabException;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/**
 * The data side of a drill: before the kill, marker rows committed one by one through the
 * Service and seen replayed on the standby; after the failover, the same markers counted
 * through the Service again, on whichever server it now selects.
 */
public final class Markers {

  private final String serviceEndpoint;
  private final LabLogin login;
  private final Map<String, String> pods;

  /** @param serviceEndpoint host:port of the lab's Service, as {@code LabStatus#serviceEndpoint} gives it */
  public Markers(String serviceEndpoint, PostgresPair pair) {
    this(serviceEndpoint, LabLogin.of(pair), pair.nodes().stream()
        .collect(java.util.stream.Collectors.toMap(PostgresNode::name, n -> n.host() + ":" + n.port())));
  }

  /** @param pods each pod's server, {@code host:port}: where a marker's replay is checked */
  public Markers(String serviceEndpoint, LabLogin login, Map<String, String> pods) {
    this.serviceEndpoint = serviceEndpoint;
    this.login = login;
    this.pods = Map.copyOf(pods);
  }

  /**
   * Commits {@code count} marker rows one by one and waits until the standby has replayed them all.
   * Also creates the table {@link ServiceWriteProbe} writes to.
   *
   * @return the id of the last marker written
   */
  public long writeReplicated(int count, String standbyPod) throws SQLException, InterruptedException {
    String primaryLsn;
    long lastId;
    try (Connection c = service(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS pgdr_drill");
      s.execute("CREATE TABLE IF NOT EXISTS pgdr_drill.markers (id bigint PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
      s.execute("CREATE TABLE IF NOT EXISTS pgdr_drill.service_writes (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
      try (ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM pgdr_drill.markers")) {
        rs.next();
        lastId = rs.getLong(1);
      }
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO pgdr_drill.markers (id) VALUES (?)")) {
        for (int i = 0; i < count; i++) {
          insert.setLong(1, ++lastId);
          insert.executeUpdate(); // autocommit: each marker is its own committed transaction
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
        rs.next();
        primaryLsn = rs.getString(1);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection c = connect(pods.get(standbyPod));
         PreparedStatement caughtUp = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0")) {
      caughtUp.setString(1, primaryLsn);
      while (true) {
        try (ResultSet rs = caughtUp.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return lastId;
          }
        }
        if (System.nanoTime() > deadline) {
          throw LabException.withHint(standbyPod + " did not replay the markers within 30 s", "check the lab's standby: pgdr lab status");
        }
        Thread.sleep(20);
      }
    }
  }

  /** Markers up to {@code lastId} readable through the Service now. */
  public long countThroughService(long lastId) throws SQLException {
    return countAt(serviceEndpoint, lastId);
  }

  /** Markers up to {@code lastId} readable at {@code address} (host:port) now. */
  public long countAt(String address, long lastId) throws SQLException {
    try (Connection c = connect(address); PreparedStatement count = c.prepareStatement("SELECT count(*) FROM pgdr_drill.markers WHERE id <= ?")) {
      count.setLong(1, lastId);
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private Connection service() throws SQLException {
    return connect(serviceEndpoint);
  }

  private Connection connect(String address) throws SQLException {
    return DriverManager.getConnection(login.url(address), login.properties("pgdr-drill", "3"));
  }
}
