package io.pgdr.ports;

import io.pgdr.run.RecoveryReport;
import io.pgdr.target.BackupLocation;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/**
 * Where a run's report outlives the database it is about: the target's object store, under
 * {@code pgdr/reports/<namespace>.<statefulSet>/} in its bucket.
 */
@ActivityInterface
public interface ReportActivities {

  /** A few small objects and a listing: seconds. A store that does not take them is a warning on the run, never its failure. */
  CallOptions WRITE = CallOptions.heartbeating(Duration.ofSeconds(60), 3, Duration.ofSeconds(1))
      .notRetrying(FailureTypes.CREDENTIALS_UNAVAILABLE, FailureTypes.STORE_ACCESS_DENIED);

  CallTable<ReportActivities> CALLS = CallTable.of(ReportActivities.class)
      .calls(WRITE, "writeReport")
      .build();

  /**
   * Writes {@code report} as JSON and Markdown (with the runbook's post-failover checklist), then
   * the database's history page (HTML, a chart of each run's RTO and RPO against the objectives).
   * Idempotent: the keys come from the report (its end and workflow ID), so a retry writes the
   * same objects again.
   *
   * @param database the database's {@code <namespace>.<statefulSet>}
   * @return where the JSON report is ({@code s3://bucket/key})
   */
  @ActivityMethod
  String writeReport(BackupLocation store, String database, String runId, RecoveryReport report);
}
