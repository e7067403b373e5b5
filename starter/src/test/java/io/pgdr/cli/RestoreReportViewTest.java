package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.KeptVolume;
import io.pgdr.restore.RestoreOutcome;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.RtoFigures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A restore's report as the terminal shows it: time lost rather than bytes, and the volume kept. */
class RestoreReportViewTest {

  @Test
  void aRestoreShowsTheTimeLostAndTheVolumeItKept() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    KeptVolume kept = new KeptVolume("data-postgresql-0", "pvc-0a1b", "Delete");
    RestoreOutcome restore = new RestoreOutcome("db/pgdr/20260101T000000Z/manifest.json", "pgdr", start.minusSeconds(600),
        "fabrica_db_restore_1", "fabrica_db", "fabrica_db_before_1", Map.of("fabrica-api", 3), true, 3, 3, 0, 4096, null,
        "postgresql-0", List.of(kept));
    RecoveryReport report = new RecoveryReport("RestoreFromBackup", "fabrica-db", "recovery-fabrica-agentes.postgresql", RecoveryReport.SUCCEEDED,
        "restored", start, start.plusSeconds(30), new RtoFigures(30.0, 3600, false, List.of(), io.pgdr.run.RtoClock.RUN_START),
        new RpoFigures(600, 3600, "writes after the backup's snapshot"), List.of(), List.of(), null, null,
        List.of(new ChangeRecord("swap", "postgres", "swap names", ChangeRecord.MADE, "The replaced database is kept as fabrica_db_before_1")),
        restore, null);
    StringWriter text = new StringWriter();

    ReportView.printReport(new PrintWriter(text), report);

    assertTrue(text.toString().contains("RPO            600.0s lost (objective 3600s;"), text.toString());
    assertFalse(text.toString().contains("-1 bytes"), text.toString());
    assertTrue(text.toString().contains("kept volumes   pvc-0a1b (claim data-postgresql-0, reclaim policy Retain, was Delete)"), text.toString());
    assertTrue(text.toString().contains("new database   fabrica_db_restore_1, swapped in as fabrica_db; the replaced database kept as fabrica_db_before_1"),
        text.toString());
    assertTrue(text.toString().contains("changed        swap (made): The replaced database is kept as fabrica_db_before_1"), text.toString());
  }
}
