package io.pgdr.activities.report;

import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.ScenarioOutcome;
import io.pgdr.run.StepRecord;
import java.time.Duration;

/** A run's report as a person reads it after the fact, with the runbook's post-failover checklist. */
final class ReportMarkdown {

  private ReportMarkdown() {}

  static String render(RecoveryReport report, String keptAt) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(report.scenario()).append(" of ").append(report.database()).append(": ")
        .append(report.outcome().toUpperCase(java.util.Locale.ROOT)).append("\n\n");
    md.append(cell(report.message())).append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "run", report.workflowId());
    row(md, "incident start", String.valueOf(report.incidentStart()));
    row(md, "finished", String.valueOf(report.finishedAt()));
    if (report.rto() != null) {
      row(md, "RTO", (report.rto().measuredSeconds() == null ? "not recovered" : seconds(report.rto().measuredSeconds()) + " measured")
          + ", objective " + seconds((double) report.rto().objectiveSeconds()) + (report.rto().breached() ? " (BREACHED)" : ""));
    }
    if (report.rpo() != null) {
      row(md, "RPO", seconds(report.rpo().lostSeconds()) + " of writes lost, objective " + seconds((double) report.rpo().objectiveSeconds())
          + " (" + report.rpo().basis() + ")");
    }
    HistoryRow history = HistoryRow.of(report);
    row(md, "approver", history.approver());
    if (report.result() != null) {
      for (ScenarioOutcome.Fact fact : report.result().facts()) {
        row(md, fact.label(), fact.value());
      }
    }
    if (!report.approvals().isEmpty()) {
      md.append("\n## Decisions\n\n");
      for (ApprovalRecord a : report.approvals()) {
        md.append("- ").append(a.at()).append(" ").append(a.step()).append(": ").append(a.decision())
            .append(a.by() == null ? "" : " by " + cell(a.by())).append(a.reason() == null ? "" : " (" + cell(a.reason()) + ")").append('\n');
      }
    }
    md.append("\n## Steps\n\n| step | outcome | seconds | detail |\n|---|---|---|---|\n");
    for (StepRecord step : report.steps()) {
      double took = step.end() == null ? 0 : Duration.between(step.start(), step.end()).toMillis() / 1000.0;
      md.append("| ").append(step.name()).append(" | ").append(step.outcome()).append(" | ").append(String.format("%.3f", took))
          .append(" | ").append(cell(step.detail() == null ? "" : step.detail())).append(" |\n");
    }
    if (!report.changes().isEmpty()) {
      md.append("\n## What was changed\n\n");
      for (ChangeRecord change : report.changes()) {
        md.append("- ").append(change.step()).append(" (").append(change.state()).append("): ").append(cell(change.change()))
            .append(change.handBack() == null ? "" : ". Left: " + cell(change.handBack())).append('\n');
      }
    }
    md.append("\n## Post-failover checklist (runbook 000 §5)\n\n");
    for (PostFailoverChecklist.Item item : PostFailoverChecklist.of(report, keptAt)) {
      md.append("- [").append(item.done() ? "x" : " ").append("] ").append(item.item()).append(": ").append(cell(item.evidence())).append('\n');
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String label, String value) {
    md.append("| ").append(label).append(" | ").append(cell(value)).append(" |\n");
  }

  /** One line, and no character that would end a table cell. */
  static String cell(String text) {
    return text == null ? "" : text.replace("\r", " ").replace("\n", " ").replace("|", "\\|");
  }

  static String seconds(Double value) {
    return HistoryRow.seconds(value);
  }
}
