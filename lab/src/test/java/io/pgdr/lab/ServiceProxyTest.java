package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgdr.ports.KubernetesLabels;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients of "the Service" reach the pod its selector names, and follow a repoint on their next
 * connection once the watch has delivered it (milliseconds; the test allows a second).
 */
@org.junit.jupiter.api.Tag("real-servers")
class ServiceProxyTest {

  @TempDir Path dir;
  InProcessLab lab;
  ServiceProxy proxy;

  @BeforeEach
  void start() {
    lab = InProcessLab.start(dir);
    proxy = ServiceProxy.start(lab.client());
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  String serverBehindService() throws SQLException {
    String url = "jdbc:postgresql://" + proxy.endpoint() + "/" + lab.pair.database();
    try (Connection connection = DriverManager.getConnection(url, lab.pair.superuser(), lab.pair.password());
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT inet_server_port(), pg_is_in_recovery()")) {
      row.next();
      return row.getInt(1) + (row.getBoolean(2) ? " standby" : " primary");
    }
  }

  @Test
  void newConnectionsFollowTheServiceSelector() throws SQLException {
    assertEquals(lab.pair.primary().port() + " primary", serverBehindService());

    repointTo("postgresql-1");

    assertEquals(lab.pair.standby().port() + " standby", firstWithin(Duration.ofSeconds(1), lab.pair.standby().port() + " standby"));
  }

  @Test
  void aRepointBackIsFollowedToo() throws SQLException {
    repointTo("postgresql-1");
    firstWithin(Duration.ofSeconds(1), lab.pair.standby().port() + " standby");

    repointTo("postgresql-0");

    assertEquals(lab.pair.primary().port() + " primary", firstWithin(Duration.ofSeconds(1), lab.pair.primary().port() + " primary"));
  }

  private void repointTo(String pod) {
    lab.client().services().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SERVICE)
        .edit(s -> { s.getSpec().getSelector().put(KubernetesLabels.POD_NAME, pod); return s; });
  }

  /** Connects through the Service until it reaches {@code expected} or the time is up; returns the last server reached. */
  private String firstWithin(Duration timeout, String expected) throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String reached = serverBehindService();
    while (!expected.equals(reached) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      reached = serverBehindService();
    }
    return reached;
  }
}
