package io.pgdr.activities.report;

import io.pgdr.run.RecoveryReport;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where reports live in a bucket: {@code pgdr/reports/<namespace>.<statefulSet>/}, at the bucket's
 * root, beside (never inside) the backups; one JSON and one Markdown object per run, named so they
 * sort by when the run ended, and the database's history page {@code index.html}.
 */
public final class ReportKeys {

  public static final String ROOT = "pgdr/reports/";
  public static final String PAGE = "index.html";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ReportKeys() {}

  /** @param database {@code <namespace>.<statefulSet>} */
  public static String directory(String database) {
    return ROOT + database + "/";
  }

  /** The key of a run's report without its extension: the same for every attempt that writes it. */
  static String base(String database, String runId, RecoveryReport report) {
    String run = runId.replace("-", "");
    return directory(database) + STAMP.format(report.finishedAt()) + "_" + report.workflowId().replaceAll("[^A-Za-z0-9._-]", "_")
        + "_" + run.substring(Math.max(0, run.length() - 8));
  }
}
