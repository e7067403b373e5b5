package io.pgdr.activities.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.PostgresActivitiesImpl;
import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PatroniAnswer;
import io.pgdr.ports.PatroniMember;
import io.pgdr.ports.PatroniView;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.PatroniAccess;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The Patroni adapters on a real Patroni cluster (the Patroni lab: etcd and two Patroni nodes on
 * loopback). The guard: each server is seen as Patroni's and pg_promote is refused on its replica.
 * The REST API: the cluster as Patroni describes it; a switchover asked once (a repeated request
 * asks nothing) that loses no row; refusals that change nothing; a failover after the leader
 * crashed (the cluster paused, so only the request can do it). This is also the Patroni lab's own test (PatroniCluster: bootstrap, leader, streaming
 * replica, tags, a crashed member), so the suite bootstraps one Patroni cluster, not two.
 */
@Tag("real-servers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// most of its time waits on Patroni's loop and its leader key: it runs beside the fork's other classes,
// its own steps one after another, in order
@Execution(ExecutionMode.CONCURRENT)
class PatroniOnARealClusterTest {

  static final List<String> PODS = PatroniCluster.MEMBERS;
  @TempDir static Path dir;
  static PatroniCluster cluster;
  static PostgresActivitiesImpl postgres;
  static PatroniActivitiesImpl patroni;
  static DatabaseTarget target;

  @BeforeAll
  static void up() {
    RequiredComponent.require("Patroni and etcd", PatroniCluster.present(), PatroniCluster.INSTALL_HINT);
    cluster = PatroniCluster.create(dir.resolve("patroni"), progress -> { });
    CredentialResolver credentials = CredentialResolver.fromEnvironment(Map.of("PGDR_TEST_PASSWORD", cluster.password())::get);
    postgres = new PostgresActivitiesImpl(credentials);
    patroni = new PatroniActivitiesImpl(credentials);
    target = new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of(), null,
        new PostgresAccess("postgres", null, SecretRef.environment(cluster.superuser(), "PGDR_TEST_PASSWORD"), null), null, null, null,
        null, null, new PatroniAccess(null, cluster.restEndpoints(), null), null, null);
  }

  @AfterAll
  static void down() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static PostgresServer server(String member) {
    return new PostgresServer(member, "127.0.0.1", cluster.members().get(member).postgresPort(), "postgres", "fabrica-agentes",
        SecretRef.environment(cluster.superuser(), "PGDR_TEST_PASSWORD"));
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(1)
  void aPatroniReplicaIsSeenManagedAndNeverPromotedBehindPatronisBack() {
    ServerState replica = postgres.inspectServer(server("postgresql-1"));
    assertTrue(replica.reachable() && replica.inRecovery(), replica.toString());
    assertTrue(replica.patroniManaged(), "Patroni wrote its configuration");
    assertTrue(postgres.inspectServer(server("postgresql-0")).patroniManaged());

    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> postgres.promoteServer(server("postgresql-1")));

    assertEquals(FailureTypes.PATRONI_MANAGED, refused.getType());
    assertTrue(refused.isNonRetryable());
    assertTrue(refused.getOriginalMessage().contains("POST /failover"), refused.getOriginalMessage());
    assertTrue(postgres.inspectServer(server("postgresql-1")).inRecovery(), "still a replica");
    assertEquals("postgresql-0", cluster.leader().orElseThrow(), "Patroni's leader is untouched");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(2)
  void theClusterIsDescribedAsPatroniSeesIt() {
    PatroniView view = patroni.describePatroni(target, PODS);

    assertEquals("postgresql-0", view.answeredBy());
    assertFalse(view.paused());
    assertEquals("postgresql-0", view.leader().orElseThrow().name());
    PatroniMember replica = view.member("postgresql-1").orElseThrow();
    assertTrue(replica.healthyReplica(), replica.toString());
    assertEquals(0L, replica.lagBytes());
    assertEquals(1, replica.timeline());
    assertFalse(replica.noFailover());
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(3)
  void aSwitchoverIsAskedOnceAndARepeatedRequestAsksNothing() throws Exception {
    try (var connection = cluster.connect("postgresql-0", "postgres"); var statement = connection.createStatement()) {
      statement.execute("CREATE TABLE marks AS SELECT generate_series(1, 100) AS n");
    }

    PatroniAnswer answer = patroni.requestFailover(target, PODS, "postgresql-1", "postgresql-0");

    assertEquals(PatroniAnswer.ACCEPTED, answer.outcome(), answer.toString());
    assertEquals(200, answer.status());
    cluster.awaitLeader("postgresql-1");
    PatroniAnswer again = patroni.requestFailover(target, PODS, "postgresql-1", "postgresql-0");
    assertEquals(PatroniAnswer.ALREADY, again.outcome(), "a retried attempt finds it done");
    assertEquals(0, again.status(), "and asks nothing");
    // the new leader writes its history into the DCS in one of its next loops
    String lastSwitch = null;
    for (int i = 0; i < 60 && lastSwitch == null; i++, Thread.sleep(250)) {
      lastSwitch = patroni.describePatroni(target, PODS).lastSwitch();
    }
    assertTrue(lastSwitch != null && lastSwitch.startsWith("timeline 1 -> 2 at ") && lastSwitch.contains("new leader postgresql-1"),
        "GET /history names the switchover: " + lastSwitch);
    cluster.awaitStreaming("postgresql-0");
    try (var connection = cluster.connect("postgresql-1", "postgres"); var statement = connection.createStatement();
         var row = statement.executeQuery("SELECT count(*) FROM marks")) {
      row.next();
      assertEquals(100, row.getInt(1), "a planned switchover loses no row");
    }
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(4)
  void refusalsChangeNothing() {
    ApplicationFailure unknown = assertThrows(ApplicationFailure.class,
        () -> patroni.requestFailover(target, PODS, "postgresql-9", "postgresql-1"));
    assertEquals(FailureTypes.PATRONI_REFUSED, unknown.getType());
    assertTrue(unknown.isNonRetryable());

    cluster.setNoFailover("postgresql-0", true);
    assertTrue(patroni.describePatroni(target, PODS).member("postgresql-0").orElseThrow().noFailover());
    ApplicationFailure tagged = assertThrows(ApplicationFailure.class,
        () -> patroni.requestFailover(target, PODS, "postgresql-0", "postgresql-1"));
    assertEquals(FailureTypes.PATRONI_REFUSED, tagged.getType());
    assertTrue(tagged.getOriginalMessage().contains("412"), tagged.getOriginalMessage());
    assertEquals("postgresql-1", cluster.leader().orElseThrow(), "the leader stays");
    cluster.setNoFailover("postgresql-0", false);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  @Order(5)
  void aFailoverIsAskedOfTheCandidateWhenTheLeaderIsGone() {
    // paused, Patroni does not fail over on its own: only the request can make the candidate lead
    cluster.pause(true);
    assertTrue(patroni.describePatroni(target, PODS).paused());
    cluster.crashMember("postgresql-1");

    PatroniAnswer answer = patroni.requestFailover(target, PODS, "postgresql-0", null);

    // Patroni answers once the candidate leads (200), or, when the dead leader's key outlives its wait,
    // "failover status unknown" (503): either way it was asked, and paused, only that makes the candidate lead
    assertTrue(answer.status() == 200 && PatroniAnswer.ACCEPTED.equals(answer.outcome())
        || answer.status() == 503 && PatroniAnswer.UNKNOWN.equals(answer.outcome()), answer.toString());
    cluster.awaitLeader("postgresql-0");
    assertEquals("postgresql-0", patroni.describePatroni(target, PODS).leader().orElseThrow().name());
    cluster.pause(false);
  }
}
