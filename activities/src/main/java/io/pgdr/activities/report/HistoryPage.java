package io.pgdr.activities.report;

import java.util.List;

/**
 * A database's history as one HTML page: each run's measured RTO and RPO as bars against its
 * objectives (an SVG chart, oldest left), then the runbook's history table, newest first. No
 * script and nothing fetched: the page opens from the bucket as it is.
 */
final class HistoryPage {

  private static final int BAR = 18;
  private static final int HEIGHT = 160;

  private HistoryPage() {}

  /** @param newestFirst the runs, newest first */
  static String render(String database, List<HistoryRow> newestFirst) {
    StringBuilder html = new StringBuilder("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>pgdr history: ")
        .append(escape(database)).append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.failed{color:#b00}</style></head><body>\n")
        .append("<h1>pgdr history of ").append(escape(database)).append("</h1>\n");
    List<HistoryRow> oldestFirst = new java.util.ArrayList<>(newestFirst);
    java.util.Collections.reverse(oldestFirst);
    html.append(chart("RTO: from the incident to a verified database", oldestFirst, true));
    html.append(chart("RPO: writes lost", oldestFirst, false));
    html.append("<table><tr><th>date</th><th>scenario</th><th>cause</th><th>resolution</th><th>real RPO</th><th>real RTO</th>"
        + "<th>approver</th><th>outcome</th></tr>\n");
    for (HistoryRow row : newestFirst) {
      html.append("<tr class=\"").append(escape(row.outcome())).append("\"><td>").append(row.date()).append("</td><td>")
          .append(escape(row.scenario())).append("</td><td>").append(escape(row.cause())).append("</td><td>")
          .append(escape(row.resolution())).append("</td><td>").append(ReportMarkdown.seconds(row.rpoSeconds())).append("</td><td>")
          .append(ReportMarkdown.seconds(row.rtoSeconds())).append("</td><td>").append(escape(row.approver())).append("</td><td>")
          .append(escape(row.outcome())).append("</td></tr>\n");
    }
    return html.append("</table>\n</body></html>\n").toString();
  }

  /** One bar per run, scaled to the largest value or objective; a red bar is above its objective (the dashed tick). */
  private static String chart(String title, List<HistoryRow> runs, boolean rto) {
    double max = 1;
    for (HistoryRow run : runs) {
      max = Math.max(max, Math.max(value(run, rto), objective(run, rto)));
    }
    int width = Math.max(200, runs.size() * (BAR + 6) + 10);
    StringBuilder svg = new StringBuilder("<h2>").append(escape(title)).append("</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width).append("\" height=\"").append(HEIGHT + 20).append("\" role=\"img\">\n");
    for (int i = 0; i < runs.size(); i++) {
      HistoryRow run = runs.get(i);
      double value = value(run, rto);
      double objective = objective(run, rto);
      int x = 5 + i * (BAR + 6);
      int h = (int) Math.round(value / max * HEIGHT);
      int o = HEIGHT - (int) Math.round(objective / max * HEIGHT);
      svg.append("<rect x=\"").append(x).append("\" y=\"").append(HEIGHT - h).append("\" width=\"").append(BAR).append("\" height=\"")
          .append(h).append("\" fill=\"").append(objective > 0 && value > objective ? "#c33" : "#396").append("\"><title>")
          .append(escape(run.date() + " " + run.scenario() + ": " + ReportMarkdown.seconds(value) + " of " + ReportMarkdown.seconds(objective)))
          .append("</title></rect>\n");
      if (objective > 0) {
        svg.append("<line x1=\"").append(x - 2).append("\" x2=\"").append(x + BAR + 2).append("\" y1=\"").append(o).append("\" y2=\"").append(o)
            .append("\" stroke=\"#000\" stroke-dasharray=\"3,2\"/>\n");
      }
    }
    return svg.append("</svg>\n").toString();
  }

  private static double value(HistoryRow run, boolean rto) {
    Double v = rto ? run.rtoSeconds() : run.rpoSeconds();
    return v == null ? 0 : v;
  }

  private static double objective(HistoryRow run, boolean rto) {
    Long v = rto ? run.rtoObjectiveSeconds() : run.rpoObjectiveSeconds();
    return v == null ? 0 : v;
  }

  static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
