package io.pgdr.cli.drill;

import io.pgdr.activities.report.HistoryRow;
import io.pgdr.drill.DrillFleetSummary;
import io.pgdr.drill.DrillFleetSummary.DrillResult;
import java.io.PrintWriter;

/** A fleet's drills, one line per database, then the count passed. */
final class DrillSummaryTable {

  private DrillSummaryTable() {}

  static void print(PrintWriter out, DrillFleetSummary summary) {
    out.printf("%-24s %-8s %10s %10s  %s%n", "DATABASE", "RESULT", "RTO", "RPO", "WHY");
    for (DrillResult drill : summary.drills()) {
      out.printf("%-24s %-8s %10s %10s  %s%n", drill.database(), drill.state(), HistoryRow.seconds(drill.rtoSeconds()), HistoryRow.seconds(drill.rpoSeconds()),
          drill.message() == null ? "" : drill.message());
    }
    out.printf("%d of %d passed%n", summary.count(DrillResult.PASSED), summary.drills().size());
  }
}
