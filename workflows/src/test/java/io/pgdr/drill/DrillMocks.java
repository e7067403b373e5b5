package io.pgdr.drill;

import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.restore.RestoreFromBackupWorkflowTest;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import java.time.Duration;
import java.time.Instant;

/** The restore tests' cluster and target, for drills of the same database. */
final class DrillMocks {

  static final BackupLocation LOCATION = RestoreFromBackupWorkflowTest.LOCATION;
  static final String NEWEST = "db/pgdr/20250110T020000Z/manifest.json";

  private DrillMocks() {}

  static void healthyCluster(KubernetesActivities kubernetes, PostgresActivities postgres, Instant now) {
    RestoreFromBackupWorkflowTest.stubHealthyCluster(kubernetes, postgres, now);
  }

  /** RTO 1 h, RPO 1 h. */
  static DatabaseTarget target() {
    return RestoreFromBackupWorkflowTest.target(Duration.ofHours(1), LOCATION);
  }

  static DatabaseTarget target(Objectives objectives) {
    DatabaseTarget t = target();
    return new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(), t.postgres(),
        objectives, t.approval(), t.verification(), t.notifications(), t.backups(), t.patroni(), t.poolSize(), t.owner());
  }

  /** A valid backup whose data is as of {@code dataAsOf}. */
  static BackupEntry backup(String key, Instant dataAsOf) {
    return RestoreFromBackupWorkflowTest.backup(key, dataAsOf, true, "manifest and every object present");
  }
}
