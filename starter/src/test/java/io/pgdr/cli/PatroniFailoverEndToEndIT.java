package io.pgdr.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.drill.Markers;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code pgdr failover patroni} and the guard against {@code pg_promote}, on the Patroni lab (real
 * Patroni and etcd), with the worker and the CLI as separate processes. One lab for the class, in
 * order: the guard and the paused cluster change nothing, the switchover hands the leader over,
 * Patroni's 412 leaves it where it is. The failover of a killed leader is the standing chaos test's
 * ({@link StandingChaosPatroniIT}).
 */
@Tag("real-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniFailoverEndToEndIT {

  private static final String RUN = "recovery-fabrica-agentes.postgresql";
  private static final int MARKERS = 100;
  private Path logs;
  private LabProcesses processes;
  private PatroniScene scene;

  @BeforeAll
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("Patroni and etcd", PatroniCluster.present(), PatroniCluster.INSTALL_HINT);
    logs = Files.createTempDirectory("pgdr-patroni-e2e-logs");
    processes = LabProcesses.up(logs, true);
    scene = new PatroniScene(processes);
  }

  @AfterAll
  void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  @Test
  @Order(1)
  void promoteReplicaIsRefusedOnAPatroniClusterByTheTargetAndByWhatTheServersSay() throws Exception {
    CliRun byTarget = processes.pgdr(Duration.ofMinutes(2), "failover", "promote-replica", "--target", processes.targetFile(),
        "--yes", "--follow");
    assertEquals(ExitCodes.BAD_INPUT, byTarget.exitCode(), byTarget.toString());
    assertTrue(byTarget.out().contains("managed by Patroni") || byTarget.err().contains("managed by Patroni"), byTarget.toString());

    // a target that does not say so: the servers do (Patroni's sessions and files)
    Path unmarked = logs.resolve("target-without-patroni.yaml");
    String yaml = Files.readString(Path.of(processes.targetFile()));
    Files.writeString(unmarked, yaml.substring(0, yaml.indexOf("patroni:")));
    CliRun byServers = processes.pgdr(Duration.ofMinutes(2), "failover", "promote-replica", "--target", unmarked.toString(),
        "--yes", "--follow", "--output", "json");
    assertEquals(ExitCodes.BAD_INPUT, byServers.exitCode(), byServers.toString());
    JsonNode report = Json.MAPPER.readTree(byServers.out());
    assertTrue(report.path("message").asText().contains("are managed by Patroni: promoting with pg_promote behind Patroni's back"),
        report.toString());
    assertTrue(report.path("message").asText().contains("Nothing was changed"), report.toString());
    assertEquals(Optional.of("postgresql-0"), scene.leader(), "the leader is where it was");
    assertTrue(scene.inRecovery("postgresql-1"), "postgresql-1 was not promoted");
  }

  @Test
  @Order(2)
  void aPausedClusterIsRefusedWithTheFix() throws Exception {
    pause(true);
    try {
      CliRun run = processes.pgdr(Duration.ofMinutes(2), "failover", "patroni", "--target", processes.targetFile(), "--switchover",
          "--yes", "--follow", "--output", "json");
      assertEquals(ExitCodes.RUN_FAILED, run.exitCode(), run.toString());
      String message = Json.MAPPER.readTree(run.out()).path("message").asText();
      assertTrue(message.startsWith("Patroni is paused (maintenance mode)"), message);
      assertTrue(message.contains("patronictl resume"), message);
      assertEquals(Optional.of("postgresql-0"), scene.leader());
    } finally {
      pause(false);
    }
  }

  @Test
  @Order(3)
  void aSwitchoverLosesNoRowAndTheOldLeaderComesBackAsAReplica() throws Exception {
    Markers markers = scene.markers();
    long last = markers.writeReplicated(MARKERS, "postgresql-1");

    CliRun run = processes.pgdr(Duration.ofMinutes(3), "failover", "patroni", "--target", processes.targetFile(), "--switchover",
        "--yes", "--follow", "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode result = report.path("result");
    assertEquals("patroni-failover", result.path("kind").asText());
    assertEquals("switchover", result.path("mode").asText());
    assertEquals("postgresql-1", result.path("newLeader").asText());
    assertEquals("rejoined as a replica of postgresql-1", result.path("oldLeaderAfter").asText(), result.toString());
    assertEquals(Optional.of("postgresql-1"), scene.leader());
    assertTrue(scene.inRecovery("postgresql-0"), "postgresql-0 streams from the new leader");
    assertEquals(MARKERS, markers.countThroughService(last), "every marker, through the Service, now on postgresql-1");
    assertEquals(scene.port("postgresql-1"), scene.serverPortThroughTheService(), "the Service follows Patroni's leader");
    assertEquals(1, scene.requests("switchover"), "the switchover was asked once");
  }

  @Test
  @Order(4)
  void patronisRefusalFailsClearlyAndLeavesTheLeaderWhereItWas() throws Exception {
    PgdrProcess cli = processes.startPgdr("failover", "patroni", "--target", processes.targetFile(), "--switchover", "--candidate",
        "postgresql-0", "--follow", "--output", "json");
    WorkflowClient temporal = new TemporalConnection(processes.status.temporalAddress(), "default").client();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> pendingApproval(temporal));
    // while the approver reads the plan, postgresql-0 is tagged nofailover: Patroni must refuse it
    PatroniCluster.setNoFailover(scene.clusterDir(), processes.status.patroni(), "postgresql-0", true);
    try {
      CliRun approve = processes.pgdr(Duration.ofMinutes(1), "approve", RUN, "--reason", "e2e: Patroni refuses");
      assertEquals(0, approve.exitCode(), approve.toString());
      CliRun run = cli.await(Duration.ofMinutes(2));

      assertEquals(ExitCodes.RUN_FAILED, run.exitCode(), run.toString());
      String message = Json.MAPPER.readTree(run.out()).path("message").asText();
      assertTrue(message.contains("step switchover failed: Patroni refused /switchover to postgresql-0 (HTTP 412)"), message);
      assertTrue(message.endsWith("Nothing was changed."), message);
      assertEquals(Optional.of("postgresql-1"), scene.leader(), "the leader stayed");
      assertEquals(2, scene.requests("switchover"), "asked once more, refused");
    } finally {
      PatroniCluster.setNoFailover(scene.clusterDir(), processes.status.patroni(), "postgresql-0", false);
    }
  }

  @Test
  @Order(5)
  void aFailoverOfAKilledLeaderKeepsEveryReplicatedRowAndTheServiceFollows() throws Exception {
    Markers markers = scene.markers();
    long last = markers.writeReplicated(MARKERS, "postgresql-0");
    assertEquals("postgresql-1", processes.lab.killPrimary(), "the leader since the switchover");

    CliRun run = processes.pgdr(Duration.ofMinutes(3), "failover", "patroni", "--target", processes.targetFile(), "--yes", "--follow",
        "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode result = Json.MAPPER.readTree(run.out()).path("result");
    assertEquals("failover", result.path("mode").asText());
    assertEquals("postgresql-0", result.path("newLeader").asText(), result.toString());
    assertTrue(result.path("oldLeaderAfter").asText().startsWith("not rejoined: it is not in Patroni's cluster"), result.toString());
    assertEquals(Optional.of("postgresql-0"), scene.leader());
    assertEquals(scene.port("postgresql-0"), scene.serverPortThroughTheService(), "writes through the Service reach the new leader");
    assertEquals(last, markers.countThroughService(last), "every marker committed and replicated before the kill (this test's and the switchover's)");
    assertEquals(1, scene.requests("failover"), "the failover was asked once");
  }

  private void pause(boolean on) {
    PatroniCluster.pause(processes.status.patroni().values(), on);
  }

  private static boolean pendingApproval(WorkflowClient temporal) {
    try {
      return temporal.newWorkflowStub(io.pgdr.run.RecoveryRun.class, RUN).status().pendingApproval() != null;
    } catch (RuntimeException notYet) {
      return false;
    }
  }
}
