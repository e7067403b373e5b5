package io.pgdr.activities.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.PromotionOutcome;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.RtoFigures;
import io.pgdr.run.StepRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A failover's report as a person reads it: its figures, the checklist ticked from evidence, and the history page. */
class ReportRenderingTest {

  private static final Instant START = Instant.parse("2026-12-01T03:12:00Z");

  static RecoveryReport failover(String outcome, double rtoSeconds, String message) {
    return new RecoveryReport("ReplicaPromotion", "fabrica-db", "recovery-fabrica-agentes.postgresql", outcome, message, START,
        START.plusSeconds((long) rtoSeconds + 5), new RtoFigures(rtoSeconds, 60, rtoSeconds > 60, List.of(), "given"),
        new RpoFigures(0.4, 60, "replica lag"), List.of(new ApprovalRecord("promote", ApprovalRecord.APPROVED, "alice", "primary | gone",
            false, START.plusSeconds(3), "alice@host pid 1 (pgdr CLI)")),
        List.of(new StepRecord("promote", START.plusSeconds(4), START.plusSeconds(5), "succeeded", "postgresql-1 promoted"),
            new StepRecord("restart-apps", START.plusSeconds(5), START.plusSeconds(6), "succeeded", "restarted fabrica-api")),
        new VerificationResult("postgresql-1", true, true, Map.of("stories", 42L), List.of(), List.of()), null,
        List.of(new ChangeRecord("fence", "kubernetes", "fence postgresql-0", ChangeRecord.MADE, "postgresql-0 stays fenced")),
        null, null);
  }

  @Test
  void theMarkdownReportTicksTheChecklistFromEvidenceAndExplainsTheRest() {
    String md = ReportMarkdown.render(failover(RecoveryReport.SUCCEEDED, 12.5, "postgresql-1 promoted\nand verified"),
        "s3://b/pgdr/reports/x.json");

    assertTrue(md.startsWith("# ReplicaPromotion of fabrica-db: SUCCEEDED\n\npostgresql-1 promoted and verified\n"), md);
    assertTrue(md.contains("| RTO | 12.5 s measured, objective 60.0 s |"), md);
    assertTrue(md.contains("| approver | alice |"), md);
    assertTrue(md.contains("by alice (primary \\| gone)"), "a table cell never breaks on a '|': " + md);
    assertTrue(md.contains("- [x] New primary working: postgresql-1 answers as the primary, its write probe committed"), md);
    assertTrue(md.contains("- [ ] Replication configured for the new replica: not done by this run"), md);
    assertTrue(md.contains("- [x] Applications reconnected: restart-apps: restarted fabrica-api"), md);
    assertTrue(md.contains("- [ ] Backups working: not checked by this run"), md);
    assertTrue(md.contains("- [x] Document the incident: this report, kept at s3://b/pgdr/reports/x.json"), md);
    assertTrue(md.contains("- fence (made): fence postgresql-0. Left: postgresql-0 stays fenced"), md);
  }

  @Test
  void theHistoryPageChartsEachRunAgainstItsObjectivesAndEscapesWhatItShows() {
    List<HistoryRow> rows = List.of(HistoryRow.of(failover(RecoveryReport.FAILED, 90, "<script>alert(1)</script>")),
        HistoryRow.of(failover(RecoveryReport.SUCCEEDED, 12.5, "ok")));
    String page = HistoryPage.render("fabrica-agentes.postgresql", rows);

    assertEquals(2, page.split("<svg", -1).length - 1, "RTO and RPO");
    assertEquals(4, page.split("<rect", -1).length - 1, "a bar per run in each");
    assertTrue(page.contains("fill=\"#c33\""), "the run above its RTO is red");
    assertTrue(page.contains("fill=\"#396\""), "the one within it is not");
    assertFalse(page.contains("<script>"), "nothing from a report runs in the page");
    assertTrue(page.contains("&lt;script&gt;"), page);
    assertEquals("alice", rows.get(1).approver());
    assertEquals(12.5, rows.get(1).rtoSeconds());
  }
}
