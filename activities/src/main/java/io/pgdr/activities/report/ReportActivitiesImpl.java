package io.pgdr.activities.report;

import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.activities.temporal.HeartbeatWhileBlocked;
import io.pgdr.ports.ReportActivities;
import io.pgdr.run.RecoveryReport;
import io.pgdr.target.BackupLocation;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;

/** {@link ReportActivities} over the worker's S3 clients. */
public final class ReportActivitiesImpl implements ReportActivities {

  private final S3Clients s3;

  public ReportActivitiesImpl(S3Clients s3) {
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  @Override
  public String writeReport(BackupLocation store, String database, String runId, RecoveryReport report) {
    try {
      return HeartbeatWhileBlocked.run("keeping the report of " + report.workflowId(),
          () -> new ReportStore(s3.forLocation(store), store, database).write(runId, report));
    } catch (SdkException e) {
      throw StoreFailures.toFailure(store, "keeping the report of " + report.workflowId(), e);
    }
  }
}
