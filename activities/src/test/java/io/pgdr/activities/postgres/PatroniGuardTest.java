package io.pgdr.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real Patroni cluster (the Patroni lab: etcd and two Patroni nodes), the diagnosis sees that
 * Patroni manages each server, and pg_promote is refused on its replica: promoting behind Patroni's
 * back would leave two leaders. The replica stays a replica and Patroni's leader stays the leader.
 * (A server Patroni does not manage is promoted as before: PromoteAndFenceTest.)
 */
@Tag("real-servers")
class PatroniGuardTest {

  @TempDir static Path dir;
  static PatroniCluster cluster;
  static PostgresActivitiesImpl postgres;

  @BeforeAll
  static void up() {
    RequiredComponent.require("Patroni and etcd", PatroniCluster.present(), PatroniCluster.INSTALL_HINT);
    cluster = PatroniCluster.create(dir.resolve("patroni"), progress -> { });
    postgres = new PostgresActivitiesImpl(CredentialResolver.fromEnvironment(Map.of("PGDR_TEST_PASSWORD", cluster.password())::get));
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
}
