package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Patroni lab: real etcd and two real Patroni nodes on loopback, managing real PostgreSQL. It
 * comes up with a leader and a streaming replica, a switchover through Patroni's REST API moves the
 * leadership with every row, and a crashed leader is replaced by Patroni on its own.
 */
@Tag("real-servers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniClusterTest {

  @TempDir static Path dir;
  static PatroniCluster cluster;

  @BeforeAll
  static void up() {
    RequiredComponent.require("Patroni and etcd", PatroniCluster.present(), PatroniCluster.INSTALL_HINT);
    List<String> progress = new ArrayList<>();
    cluster = PatroniCluster.create(dir.resolve("patroni"), progress::add);
    assertTrue(progress.get(progress.size() - 1).contains("ready"), progress.toString());
  }

  @AfterAll
  static void down() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long rows(String member) throws Exception {
    try (Connection connection = cluster.connect(member, "postgres"); Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT count(*) FROM marks")) {
      row.next();
      return row.getLong(1);
    }
  }

  private static void insert(String member, int from, int to) throws Exception {
    try (Connection connection = cluster.connect(member, "postgres"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS marks (n int PRIMARY KEY)");
      statement.execute("INSERT INTO marks SELECT generate_series(" + from + ", " + to + ")");
    }
  }

  @Test
  @Order(1)
  void theFirstNodeLeadsAndTheSecondStreamsFromIt() {
    assertEquals("postgresql-0", cluster.leader().orElseThrow());
    JsonNode members = cluster.cluster().orElseThrow().path("members");
    assertEquals(2, members.size(), members.toString());
    assertEquals(200, cluster.get("postgresql-1", "/replica").status());
    assertEquals(503, cluster.get("postgresql-1", "/primary").status(), "a replica is not the primary");
    assertEquals(PatroniCluster.SCOPE, cluster.get("postgresql-0", "/patroni").json().path("patroni").path("scope").asText());
  }

  @Test
  @Order(2)
  void aSwitchoverThroughTheRestApiMovesTheLeadershipWithEveryRow() throws Exception {
    insert("postgresql-0", 1, 100);

    PatroniCluster.Answer answer = cluster.post("postgresql-0", "/switchover", "{\"leader\":\"postgresql-0\",\"candidate\":\"postgresql-1\"}");

    assertEquals(200, answer.status(), answer.body());
    cluster.awaitLeader("postgresql-1");
    cluster.awaitStreaming("postgresql-0");
    assertEquals(100, rows("postgresql-1"));
    assertEquals(412, cluster.post("postgresql-1", "/switchover", "{\"leader\":\"postgresql-1\",\"candidate\":\"postgresql-9\"}").status(),
        "a candidate that is no member is refused");
  }

  @Test
  @Order(3)
  void aCrashedLeaderIsReplacedByPatroniOnItsOwn() throws Exception {
    String leader = cluster.leader().orElseThrow();
    String other = leader.equals("postgresql-0") ? "postgresql-1" : "postgresql-0";
    insert(leader, 101, 150);
    cluster.awaitStreaming(other);

    cluster.crashMember(leader);

    cluster.awaitLeader(other);
    assertEquals(150, rows(other));
    cluster.startMember(leader);
    cluster.awaitStreaming(leader);
  }
}
