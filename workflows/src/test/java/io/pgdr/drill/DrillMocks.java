package io.pgdr.drill;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.ReadinessActivities;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.ReportActivities;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.RunActivities;
import io.pgdr.ports.VerificationResult;
import io.pgdr.restore.RestoreFromBackupWorkflowTest;
import io.pgdr.target.BackupLocation;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.DrillSettings;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Objectives;
import java.time.Duration;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The restore tests' cluster and target, for drills of the same database. */
final class DrillMocks {

  static final BackupLocation LOCATION = RestoreFromBackupWorkflowTest.LOCATION;
  static final String NEWEST = "db/pgdr/20250110T020000Z/manifest.json";

  private DrillMocks() {}

  static void healthyCluster(KubernetesActivities kubernetes, PostgresActivities postgres, Instant now) {
    RestoreFromBackupWorkflowTest.stubHealthyCluster(kubernetes, postgres, now);
  }

  /** RTO 1 h, RPO 1 h; a rehearsal restores into a scratch database on the primary. */
  static DatabaseTarget target() {
    return RestoreFromBackupWorkflowTest.target(Duration.ofHours(1), LOCATION).withDrill(DrillSettings.SCRATCH_DATABASE);
  }

  /** The same database, with the default drill settings: a rehearsal restores into a scratch StatefulSet. */
  static DatabaseTarget clusterTarget() {
    return RestoreFromBackupWorkflowTest.target(Duration.ofHours(1), LOCATION);
  }

  static DatabaseTarget target(Objectives objectives) {
    DatabaseTarget t = target();
    return new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(), t.postgres(),
        objectives, t.approval(), t.verification(), t.notifications(), t.backups(), t.patroni(), t.poolSize(), t.owner(), t.drill());
  }

  /** The server a scratch StatefulSet's pod answers at. */
  static PostgresServer scratchServer(String name) {
    return new PostgresServer(name + "-0", "10.0.0.77", 5432, "postgres", "fabrica-agentes", SecretRef.kubernetesSecret("postgresql-credentials"));
  }

  /**
   * Every port a drill calls, mocked for a healthy database with a backup 20 minutes old that
   * restores, checks, verifies and drops; a test stubs again what its case changes.
   */
  static final class Adapters {
    final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
    final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
    final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
    final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
    final RunActivities runs = mock(RunActivities.class, withSettings().withoutAnnotations());
    final ReadinessActivities readiness = mock(ReadinessActivities.class, withSettings().withoutAnnotations());
    final ReportActivities reports = mock(ReportActivities.class, withSettings().withoutAnnotations());
    final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
    final io.pgdr.ports.RejoinActivities rejoin = mock(io.pgdr.ports.RejoinActivities.class, withSettings().withoutAnnotations());

    Adapters(Instant now) {
      healthyCluster(kubernetes, postgres, now);
      when(backups.listBackups(any())).thenReturn(new BackupCatalog(LOCATION.url(), List.of(backup(NEWEST, now.minus(Duration.ofMinutes(20))))));
      when(restore.restoreBackup(any(), any(), any(), anyString())).thenAnswer(call ->
          new RestoreResult(call.getArgument(3), 7, 7, 0, 123_456, Map.of("public.stories", 42L)));
      when(restore.checkRestore(any(), any(), any(), anyString())).thenAnswer(call ->
          new RestoreCheck(call.getArgument(3), Map.of("public.stories", 42L), Map.of("public.stories", 42L), List.of()));
      when(restore.dropScratchDatabase(any(), anyString())).thenReturn(true);
      when(kubernetes.createScratchInstance(any(), anyString(), anyString())).thenAnswer(call -> scratchServer(call.getArgument(1)));
      when(kubernetes.deleteScratchInstance(any(), anyString(), anyString())).thenReturn(true);
      when(postgres.copyRoleNames(any(), any())).thenReturn(List.of("fabrica_app"));
      when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(
          new VerificationResult("postgresql-0", true, true, Map.of("stories", 42L), List.of(), List.of()));
      when(readiness.checkReadiness(any())).thenAnswer(call -> new ReadinessReport("fabrica-db", now, List.of(
          new ReadinessReport.Item("primary", ReadinessReport.PASS, "postgresql-0 answers as the primary", null),
          new ReadinessReport.Item("backups", ReadinessReport.WARN, "older than the RPO", "back up more often"))));
      when(reports.writeReport(any(), anyString(), anyString(), any())).thenReturn("s3://fabrica-agentes-backups/pgdr/reports/x.json");
    }

    /** Registers them and starts the test service: after the test's own stubs. */
    void start(TestWorkflowEnvironment env, Worker worker) {
      worker.registerActivitiesImplementations(kubernetes, postgres, backups, restore, runs, readiness, reports, notifications, rejoin);
      env.start();
    }
  }

  /** A valid backup whose data is as of {@code dataAsOf}. */
  static BackupEntry backup(String key, Instant dataAsOf) {
    return RestoreFromBackupWorkflowTest.backup(key, dataAsOf, true, "manifest and every object present");
  }
}
