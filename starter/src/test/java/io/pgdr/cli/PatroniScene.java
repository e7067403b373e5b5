package io.pgdr.cli;

import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.drill.LabLogin;
import io.pgdr.lab.drill.Markers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** What the Patroni lab's tests look at from outside: the leader, the servers, the Service, Patroni's logs. */
final class PatroniScene {

  private final LabProcesses processes;
  private final LabLogin login;

  PatroniScene(LabProcesses processes) {
    this.processes = processes;
    this.login = LabLogin.fromSecret(processes.lab);
  }

  /** Marker rows written through the Service, checked on the pods' servers. */
  Markers markers() {
    return new Markers(processes.status.serviceEndpoint(), login, processes.status.pods());
  }

  Optional<String> leader() {
    return PatroniCluster.leaderAt(processes.status.patroni());
  }

  Path clusterDir() {
    return processes.lab.dir().resolve("patroni");
  }

  int port(String pod) {
    return Integer.parseInt(processes.status.pods().get(pod).split(":")[1]);
  }

  boolean inRecovery(String pod) throws SQLException {
    return queryInt(processes.status.pods().get(pod), "SELECT pg_is_in_recovery()::int") == 1;
  }

  /** The port of the server a new connection through the Service reaches. */
  int serverPortThroughTheService() throws SQLException {
    return queryInt(processes.status.serviceEndpoint(), "SELECT inet_server_port()");
  }

  /** How many {@code failover} or {@code switchover} requests Patroni's members logged receiving. */
  long requests(String action) throws Exception {
    long count = 0;
    for (String member : processes.status.patroni().keySet()) {
      Path log = clusterDir().resolve(member).resolve("patroni.log");
      count += Files.readAllLines(log).stream().filter(l -> l.contains("received " + action + " request")).count();
    }
    return count;
  }

  private int queryInt(String address, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + address + "/" + login.database(), login.user(), login.password());
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
