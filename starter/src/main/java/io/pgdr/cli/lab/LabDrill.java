package io.pgdr.cli.lab;

import io.pgdr.cli.CliException;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * The data side of a drill: before the kill, marker rows committed one by one through the
 * Service and seen replayed on the standby; after the failover, the same markers counted
 * through the Service again, on whichever server it now selects.
 */
public final class LabDrill {

  private final LabStatus status;
  private final PostgresPair pair;

  public LabDrill(LabStatus status, PostgresPair pair) {
    this.status = status;
    this.pair = pair;
  }

  /** The lab must have a writable primary behind the Service and a streaming standby, as after 'lab up'. */
  void requireFreshPair(String servicePod) throws SQLException {
    for (PostgresNode node : pair.nodes()) {
      boolean isPrimary = node.name().equals(servicePod);
      try (Connection c = node.connect(pair.database()); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
        rs.next();
        if (rs.getBoolean(1) == isPrimary) {
          throw notFresh(node.name() + (isPrimary ? " is behind the Service but in recovery" : " is not a standby"));
        }
      } catch (SQLException e) {
        throw notFresh(node.name() + " does not answer (" + e.getMessage() + ")");
      }
    }
  }

  private static CliException notFresh(String why) {
    return CliException.unavailable("the lab is not a fresh primary/standby pair: " + why,
        "a drill needs a fresh lab: pgdr lab down, then pgdr lab drill again");
  }

  /** Commits {@code count} marker rows one by one and waits until the standby has replayed them all. */
  public long writeReplicatedMarkers(int count, String standbyPod) throws SQLException, InterruptedException {
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
    PostgresNode standby = pair.nodes().stream().filter(n -> n.name().equals(standbyPod)).findFirst().orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection c = standby.connect(pair.database());
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
          throw CliException.unavailable(standbyPod + " did not replay the markers within 30 s", "check the lab's standby: pgdr lab status");
        }
        Thread.sleep(20);
      }
    }
  }

  /** Markers up to {@code lastId} readable through the Service now. */
  public long countMarkers(long lastId) throws SQLException {
    try (Connection c = service(); PreparedStatement count = c.prepareStatement("SELECT count(*) FROM pgdr_drill.markers WHERE id <= ?")) {
      count.setLong(1, lastId);
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The instant of a kill. Taken just before {@code pg_ctl stop -m immediate} is invoked, so the
   * figures measured from it include the whole outage (and pg_ctl's own wait for the server to go),
   * never less.
   *
   * @param stoppedNanos when pg_ctl returned, having seen the server gone
   */
  record Kill(String pod, Instant at, long nanos, long stoppedNanos) {

    long stopMillis() {
      return (stoppedNanos - nanos) / 1_000_000;
    }
  }

  /** Crashes the server of {@code pod} (immediate stop) and returns when it is gone. */
  Kill kill(String pod) {
    PostgresNode node = pair.nodes().stream().filter(n -> n.name().equals(pod)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(pod + " is not a lab server"));
    Instant at = Instant.now();
    long nanos = System.nanoTime();
    node.stopImmediate();
    return new Kill(pod, at, nanos, System.nanoTime());
  }

  ServiceWriteProbe probe() {
    return new ServiceWriteProbe(status.serviceEndpoint(), pair.database(), pair.superuser(), pair.password());
  }

  private Connection service() throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", pair.superuser());
    login.setProperty("password", pair.password());
    login.setProperty("connectTimeout", "3");
    login.setProperty("ApplicationName", "pgdr-drill");
    return DriverManager.getConnection("jdbc:postgresql://" + status.serviceEndpoint() + "/" + pair.database(), login);
  }
}
