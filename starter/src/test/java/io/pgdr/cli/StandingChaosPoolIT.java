package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The standing chaos test of ConnectionPoolRecovery, as an incident starts it: the lab's
 * max_connections nearly exhausted by a pool whose sessions are partly idle in a transaction past
 * the threshold; {@code pgdr incident start --yes} assesses it as a pool recovery and runs it as its
 * child; the worker is killed as the pool recovery verifies the primary. It ends as an undisturbed run: those sessions ended (by the first attempt, or found gone
 * by the retry), every other one left alone.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosPoolIT extends StandingChaos {

  private static final String INCIDENT = "incident-fabrica-agentes.postgresql";
  /** The lab's max_connections is 40, 3 of them reserved: 31 clients are past 80 % of the 37 open to applications. */
  private static final int CLIENTS = 31;
  private static final int IDLE_IN_TRANSACTION = 8;

  @Test
  void aPoolRecoveryWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    List<Connection> stale = new ArrayList<>();
    List<Connection> idle = new ArrayList<>();
    Set<Integer> stalePids = new HashSet<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        Connection c = processes.connectThroughService("pool-" + i);
        if (i < IDLE_IN_TRANSACTION) {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            stalePids.add(rs.getInt(1)); // and the transaction stays open, as a leaking pool leaves it
          }
          stale.add(c);
        } else {
          idle.add(c);
        }
      }
      Thread.sleep(2_500); // older than the threshold below
      PgdrProcess cli = processes.startPgdr("incident", "start", "--target", processes.targetFile(), "--cause",
          "checkout fails: too many clients already", "--idle-longer-than", "2", "--yes", "--follow", "--output", "json");

      // the incident's first task (its assessment) is killed in the incident's own chaos test
      KillPoints kills = new KillPoints(processes, temporal, INCIDENT)
          .killWhen("activity VerifyPrimary of the pool recovery scheduled", () -> new KillPoints(processes, temporal, RUN).scheduled("VerifyPrimary"));
      CliRun run = cli.await(Duration.ofMinutes(5));
      System.out.println("pool recovery chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      JsonNode incident = report.path("result");
      assertEquals("ConnectionPoolRecovery", incident.path("recommended").asText(), incident.toString());
      // the pool's sessions, and pgdr's own while it counts
      assertTrue(incident.path("reasons").toString().matches(".*3[1-4] of 40 connections in use.*"), incident.toString());
      assertTrue(incident.path("findings").toString().contains("idle in a transaction past 2 s: " + IDLE_IN_TRANSACTION + " sessions"),
          incident.toString());
      JsonNode pool = incident.path("childReport");
      assertEquals("succeeded", pool.path("outcome").asText(), pool.toString());
      Set<Integer> ended = new HashSet<>();
      pool.path("result").path("terminated").forEach(s -> ended.add(s.path("pid").asInt()));
      for (Connection c : stale) {
        assertFalse(c.isValid(2), "every idle transaction past the threshold was ended");
      }
      for (Connection c : idle) {
        assertTrue(c.isValid(2), "no other session was ended");
      }
      assertTrue(stalePids.containsAll(ended), "only approved sessions were ended: " + ended + " of " + stalePids);
      assertRtoFromTheRunsStart(report, INCIDENT);
    } finally {
      for (Connection c : stale) {
        c.close();
      }
      for (Connection c : idle) {
        c.close();
      }
    }
  }
}
