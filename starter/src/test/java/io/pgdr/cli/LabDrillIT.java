package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.TemporalDevServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command, run exactly as the README shows it. */
@org.junit.jupiter.api.Tag("real-servers")
class LabDrillIT {

  @TempDir Path logs;

  @Test
  void readmeDrillCommandFailsOverAndPrintsTheReport() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    Path labDir = Files.createTempDirectory("pgdr-drill-it");
    CliRun run = PgdrProcess.run(logs, Map.of("PGDR_LAB_DIR", labDir.toString()), Duration.ofMinutes(4),
        "lab", "drill", "--yes", "--output", "json", "--down");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out()); // stdout is the JSON report alone
    assertEquals("ReplicaPromotion", report.path("scenario").asText());
    assertEquals("fabrica-db", report.path("database").asText());
    assertEquals("succeeded", report.path("outcome").asText());
    assertTrue(report.path("rto").path("measuredSeconds").asDouble() > 0, run.out());
    assertEquals(3600, report.path("rto").path("objectiveSeconds").asLong());
    assertEquals(0, report.path("result").path("estimatedLossBytes").asLong(-1), "one standby that had replayed everything: nothing lost");
    assertTrue(report.path("rpo").has("lostSeconds"));
    JsonNode approval = report.path("approvals").get(0);
    assertEquals(System.getProperty("user.name"), approval.path("by").asText());
    assertEquals("--yes", approval.path("reason").asText());
    assertEquals("approved", approval.path("decision").asText());
    assertFalse(approval.path("at").asText().isEmpty());
    // the failover's steps, the last one the rejoin it offers (a run of its own, waiting for its approval)
    assertEquals(9, report.path("steps").size(), run.out());
    for (JsonNode step : report.path("steps")) {
      assertFalse(step.path("name").asText().isEmpty());
      assertFalse(step.path("start").asText().isEmpty());
      assertFalse(step.path("end").asText().isEmpty());
      assertTrue(Map.of("succeeded", 1, "skipped", 1).containsKey(step.path("outcome").asText()), step.toString());
    }
    JsonNode drill = report.path("drill");
    assertEquals(drill.path("markersReplicated").asLong(), drill.path("markersFound").asLong(), "every replicated marker survived");
    assertTrue(drill.path("firstWriteAfterKillSeconds").asDouble() > 0);
    assertTrue(run.err().contains("killed postgresql-0"), "progress goes to stderr: " + run.err());
    String temporal = TemporalDevServer.present() ? "Temporal CLI dev server" : LabStatus.JAVA_TEST_SERVICE;
    assertTrue(run.err().contains(temporal), "the lab ran the " + temporal + ": " + run.err());
    assertFalse(Files.exists(labDir), "--down removed the lab");
  }
}
