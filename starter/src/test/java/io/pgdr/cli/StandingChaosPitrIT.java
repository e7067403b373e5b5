package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standing chaos test of PointInTimeRecovery. */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosPitrIT extends StandingChaos {

  /**
   * A point-in-time recovery in the lab, which archives its WAL: a base backup, rows on both sides of
   * a target time, the plan shown, then the run with its worker killed at each PITR step and once
   * while the server recovers on the WAL it fetched. It ends with exactly the rows before the target
   * on a new timeline and a new volume, the old volume kept, the database stopped and started once,
   * the writers stopped and brought back once, and no segment fetched twice.
   */
  @Test
  void aPitrWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    PitrScene scene = PitrScene.write(processes);
    CliRun plan = processes.pgdr(Duration.ofMinutes(2), "pitr", "--target", processes.targetFile(), "--target-time", scene.target(), "--plan");
    assertEquals(0, plan.exitCode(), plan.toString());
    assertTrue(plan.out().contains("restore-base") && plan.out().contains("keep-volume") && plan.out().contains("stop-database"), plan.toString());
    Instant planned = temporal.newUntypedWorkflowStub(RUN).describe().getStartTime();
    Path spool = processes.lab.pair().primary().dataDir().resolve("pgdr_spool").resolve("fetched");
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient();
         Transitions<Deployment> api = scale(kubernetes, KubernetesFixture.API_DEPLOYMENT);
         Transitions<io.fabric8.kubernetes.api.model.apps.StatefulSet> database = new Transitions<>(kubernetes.apps().statefulSets()
             .inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET), s -> String.valueOf(s.getSpec().getReplicas()))) {
      PgdrProcess cli = processes.startPgdr("pitr", "--target", processes.targetFile(), "--target-time", scene.target(), "--yes", "--follow",
          "--output", "json");
      // the kills follow the run under the recovery's workflow ID: this one, not the plan's
      org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> {
        try {
          return temporal.newUntypedWorkflowStub(RUN).describe().getStartTime().isAfter(planned);
        } catch (RuntimeException notYet) {
          return false;
        }
      });

      KillPoints kills = new KillPoints(processes, temporal, RUN)
          .killInFirstTask()
          .killAtActivity("StopDatabase")
          .killAtActivity("FreshVolume")
          .killAtActivity("RestoreBase")
          .killWhen("WAL fetched, the server recovering on it", () -> Files.exists(spool) && !Files.readAllLines(spool).isEmpty())
          .killAtActivity("VerifyPrimary");
      CliRun run = cli.await(Duration.ofMinutes(8));
      System.out.println("pitr chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      scene.assertRecovered(report, kubernetes);
      assertEquals(0, report.path("result").path("reached").path("fetchedAgain").asInt(), "no segment fetched twice: " + report.path("result"));
      assertEquals(List.of("2", "0", "1"), database.values(), "the database stopped once, started once (the standby stays stopped)");
      assertEquals(List.of("3", "0", "3"), api.values(), "fabrica-api stopped once, back once");
      assertRtoFromTheRunsStart(report);
    }
    theOfferedRejoinBringsTheStandbyBackOnTheNewTimeline();
  }

  /**
   * The standing chaos test of Rejoin, on what the recovery left: postgresql-1, stopped on the old
   * timeline with the 100 rows after the target, comes back as a standby of postgresql-0 through the
   * rejoin the recovery offered, its worker killed at each step; it streams, the 100 rows are gone
   * from it and counted in the report.
   */
  private void theOfferedRejoinBringsTheStandbyBackOnTheNewTimeline() throws Exception {
    String rejoin = "rejoin-fabrica-agentes.postgresql";
    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
      try {
        return temporal.newUntypedWorkflowStub(rejoin).query("status", io.pgdr.run.RunStatus.class).pendingApproval() != null;
      } catch (RuntimeException notYet) {
        return false;
      }
    });
    PgdrProcess follow = processes.startPgdr("status", rejoin, "--follow", "--output", "json");
    // approved while the kills are armed: the first lands as the run schedules its first change
    PgdrProcess approve = processes.startPgdr("approve", rejoin, "--reason", "the standby after the PITR");
    KillPoints kills = new KillPoints(processes, temporal, rejoin)
        .killAtActivity("HoldPod")
        .killAtActivity("InspectDivergence")
        .killAtActivity("RejoinAsStandby")
        .killAtActivity("ReleasePod")
        .killAtActivity("AwaitStreaming");
    CliRun approved = approve.await(Duration.ofMinutes(1));
    assertEquals(0, approved.exitCode(), approved.toString());
    CliRun run = follow.await(Duration.ofMinutes(5));
    System.out.println("rejoin chaos kills:\n" + kills.table());

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode server = report.path("result").path("servers").get(0);
    assertEquals("postgresql-1", server.path("pod").asText(), report.path("result").toString());
    assertEquals(100, server.path("divergence").path("divergedCommits").asInt(), "the rows after the target it had: " + server);
    var nodes = processes.lab.pair().nodes();
    try (java.sql.Connection primary = nodes.get(0).connect(processes.lab.pair().database());
         java.sql.Statement s = primary.createStatement();
         java.sql.ResultSet rs = s.executeQuery("SELECT state FROM pg_stat_replication WHERE application_name = 'postgresql-1'")) {
      assertTrue(rs.next(), "postgresql-0 streams to postgresql-1");
      assertEquals("streaming", rs.getString(1));
      s.execute("INSERT INTO ledger (n) VALUES (1000)");
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      try (java.sql.Connection standby = nodes.get(1).connect(processes.lab.pair().database());
           java.sql.Statement s = standby.createStatement();
           java.sql.ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE n > 200 AND n <= 300) FROM ledger")) {
        rs.next();
        return rs.getLong(1) == 201 && rs.getLong(2) == 0;
      }
    });
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      assertEquals(2, kubernetes.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET)
          .get().getSpec().getReplicas(), "the StatefulSet is back at its two replicas");
    }
  }
}
