package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.drill.Markers;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The standing chaos test of PatroniFailover, as a switchover: with the leader healthy Patroni never
 * fails over by itself, so every kill lands where it was aimed, before the request as well as after
 * it (a crashed leader's key expires within the lab's TTL of 20 s and Patroni would race the kills).
 * The failover of a killed leader is {@link PatroniFailoverEndToEndIT}'s. Restarting the apps is the
 * same activity as ReplicaPromotion's, whose chaos test kills at it.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosPatroniIT extends StandingChaos {

  private static final int MARKERS = 100;

  @Override
  boolean patroniLab() {
    return true;
  }

  @Test
  void aSwitchoverWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    PatroniScene scene = new PatroniScene(processes);
    Markers markers = scene.markers();
    long lastMarker = markers.writeReplicated(MARKERS, "postgresql-1");
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<ConfigMap> config = new Transitions<>(configMap(kubernetes), c -> c.getData().get(KubernetesFixture.CONFIG_MAP_KEY));
         Transitions<Deployment> api = restarts(kubernetes, KubernetesFixture.API_DEPLOYMENT)) {
      PgdrProcess cli = processes.startPgdr("failover", "patroni", "--target", processes.targetFile(), "--switchover", "--yes",
          "--follow", "--output", "json");

      KillPoints kills = new KillPoints(processes, temporal, RUN)
          .killInFirstTask()
          .killAtActivity("RequestFailover")
          .killWhen("switchover request received by Patroni", () -> scene.requests("switchover") > 0)
          .killAtActivity("AwaitMember")
          .killAtActivity("VerifyPrimary");
      CliRun run = cli.await(Duration.ofMinutes(5));
      System.out.println("Patroni switchover chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      assertEquals("postgresql-1", report.path("result").path("newLeader").asText());
      assertEquals(1, scene.requests("switchover"), "the switchover was asked of Patroni once");
      assertEquals(Optional.of("postgresql-1"), scene.leader());
      assertTrue(report.path("result").path("oldLeaderAfter").asText().startsWith("rejoined"), report.toString());
      assertEquals(2, config.values().size(), "the ConfigMap was repointed once: " + config.values());
      assertEquals(2, api.values().size(), "fabrica-api was restarted once: " + api.values());
      assertEquals(MARKERS, markers.countThroughService(lastMarker), "every marker, through the Service");
      assertEquals(scene.port("postgresql-1"), scene.serverPortThroughTheService(), "the Service follows Patroni's leader");
      assertRtoFromTheRunsStart(report);
    }
  }
}
