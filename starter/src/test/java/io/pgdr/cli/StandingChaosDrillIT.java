package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The standing chaos test of FailoverDrill: a restore rehearsal whose worker is killed in its first
 * task and as it restores, checks, verifies and drops its scratch copy. It ends as an undisturbed
 * one: passed, the copy restored once (parts done before a kill are not redone), the scratch
 * database gone, the live database untouched.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosDrillIT extends StandingChaos {

  private static final String DRILL = "drill-fabrica-agentes.postgresql";

  @Test
  void aDrillWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    LabData data = new LabData(processes);
    for (int t = 1; t <= 6; t++) {
      data.sql(String.format("CREATE TABLE load_%02d AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 20000) g", t));
    }
    data.backupRun();
    String live = data.fingerprint();

    PgdrProcess cli = processes.startPgdr("drill", "run", "--target", processes.targetFile(), "--follow", "--output", "json");
    KillPoints kills = new KillPoints(processes, temporal, DRILL)
        .killInFirstTask()
        .killAtActivity("RestoreBackup")
        .killAtActivity("CheckRestore")
        .killAtActivity("VerifyPrimary")
        .killAtActivity("DropScratchDatabase");
    CliRun run = cli.await(Duration.ofMinutes(5));
    System.out.println("drill chaos kills:\n" + kills.table());

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode drill = report.path("result");
    assertTrue(drill.path("passed").asBoolean() && drill.path("scratchDropped").asBoolean(), drill.toString());
    assertEquals(7, drill.path("check").path("actual").size(), "every table restored and counted: " + drill);
    assertEquals(List.of(), data.databasesLike("%\\_pgdr\\_drill\\_%"), "the scratch database is gone");
    assertEquals(live, data.fingerprint(), "the live database is untouched");
    assertRtoFromTheRunsStart(report, DRILL);
  }
}
