package io.pgdr.worker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.backup.BackupActivitiesImpl;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.kubernetes.KubernetesActivitiesImpl;
import io.pgdr.activities.notification.NotificationActivitiesImpl;
import io.pgdr.activities.patroni.PatroniActivitiesImpl;
import io.pgdr.activities.pitr.PitrActivitiesImpl;
import io.pgdr.activities.pitr.VolumeJobs;
import io.pgdr.activities.postgres.PostgresActivitiesImpl;
import io.pgdr.activities.readiness.AccessReview;
import io.pgdr.activities.readiness.ReadinessActivitiesImpl;
import io.pgdr.activities.readiness.ReadinessCheck;
import io.pgdr.activities.rejoin.RejoinActivitiesImpl;
import io.pgdr.activities.report.ReportActivitiesImpl;
import io.pgdr.activities.restore.RestoreActivitiesImpl;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.temporal.RunActivitiesImpl;
import io.pgdr.drill.DrillFleetWorkflowImpl;
import io.pgdr.drill.FailoverDrillWorkflowImpl;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.incident.IncidentWorkflowImpl;
import io.pgdr.outage.TransientOutageWorkflowImpl;
import io.pgdr.patroni.PatroniFailoverWorkflowImpl;
import io.pgdr.pitr.PointInTimeRecoveryWorkflowImpl;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflowImpl;
import io.pgdr.rejoin.RejoinWorkflowImpl;
import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;

/** What a pgdr worker serves: every scenario's workflow and the adapters they call. One list, one place. */
final class Registrations {

  private Registrations() {}

  static void register(Worker worker, WorkflowClient client, KubernetesClient kubernetes) {
    worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class, RestoreFromBackupWorkflowImpl.class,
        PointInTimeRecoveryWorkflowImpl.class, PatroniFailoverWorkflowImpl.class,
        ConnectionPoolRecoveryWorkflowImpl.class, IncidentWorkflowImpl.class, TransientOutageWorkflowImpl.class,
        FailoverDrillWorkflowImpl.class, DrillFleetWorkflowImpl.class, RejoinWorkflowImpl.class);
    CredentialResolver credentials = new CredentialResolver(kubernetes, System::getenv);
    // one S3 client per backup location, shared by the catalog and restores, alive as long as the worker
    S3Clients s3 = new S3Clients();
    KubernetesActivitiesImpl cluster = new KubernetesActivitiesImpl(kubernetes);
    worker.registerActivitiesImplementations(
        cluster,
        new PostgresActivitiesImpl(credentials),
        new BackupActivitiesImpl(credentials, s3),
        new RestoreActivitiesImpl(credentials, s3),
        new PitrActivitiesImpl(credentials, s3, new VolumeJobs(kubernetes, volumeJobImage())),
        new PatroniActivitiesImpl(credentials),
        new RejoinActivitiesImpl(credentials),
        new NotificationActivitiesImpl(),
        new RunActivitiesImpl(client),
        new ReportActivitiesImpl(s3),
        new ReadinessActivitiesImpl(new ReadinessCheck(cluster, new AccessReview(kubernetes), credentials, s3)));
  }

  /** pgdr's image, which the pods that write volumes the worker cannot reach run: the worker's own (deploy/kubernetes/deployment.yaml). */
  static String volumeJobImage() {
    String image = System.getenv("PGDR_VOLUME_JOB_IMAGE");
    return image == null || image.isBlank() ? VolumeJobs.DEFAULT_IMAGE : image;
  }
}
