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
 * The standing chaos test of ConnectionPoolRecovery: sessions idle in a transaction past the
 * threshold, {@code pgdr pool recover --yes}, and the worker killed in its first workflow task (the
 * diagnosis, the approval and the ending of the sessions share it) and as the run verifies the primary. It ends as an undisturbed run: those
 * sessions ended (by the first attempt, or found gone by the retry), every other one left alone.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosPoolIT extends StandingChaos {

  private static final int IDLE_IN_TRANSACTION = 6;

  @Test
  void aPoolRecoveryWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    List<Connection> stale = new ArrayList<>();
    List<Connection> idle = new ArrayList<>();
    Set<Integer> stalePids = new HashSet<>();
    try {
      for (int i = 0; i < 10; i++) {
        Connection c = processes.connectThroughService("app-" + i);
        if (i < IDLE_IN_TRANSACTION) {
          c.setAutoCommit(false);
          try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            stalePids.add(rs.getInt(1)); // and the transaction stays open
          }
          stale.add(c);
        } else {
          idle.add(c);
        }
      }
      Thread.sleep(2_500);
      PgdrProcess cli = processes.startPgdr("pool", "recover", "--target", processes.targetFile(), "--idle-longer-than", "2", "--yes",
          "--follow", "--output", "json");

      KillPoints kills = new KillPoints(processes, temporal, RUN)
          .killInFirstTask()
          .killAtActivity("VerifyPrimary");
      CliRun run = cli.await(Duration.ofMinutes(5));
      System.out.println("pool recovery chaos kills:\n" + kills.table());

      assertEquals(0, run.exitCode(), run.toString());
      JsonNode report = Json.MAPPER.readTree(run.out());
      assertEquals("succeeded", report.path("outcome").asText(), report.toString());
      Set<Integer> ended = new HashSet<>();
      report.path("result").path("terminated").forEach(s -> ended.add(s.path("pid").asInt()));
      for (Connection c : stale) {
        assertFalse(c.isValid(2), "every idle transaction past the threshold was ended");
      }
      for (Connection c : idle) {
        assertTrue(c.isValid(2), "no other session was ended");
      }
      assertTrue(stalePids.containsAll(ended), "only approved sessions were ended: " + ended + " of " + stalePids);
      assertRtoFromTheRunsStart(report);
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
