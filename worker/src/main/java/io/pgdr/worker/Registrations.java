package io.pgdr.worker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.kubernetes.KubernetesActivitiesImpl;
import io.pgdr.activities.notification.NotificationActivitiesImpl;
import io.pgdr.activities.postgres.PostgresActivitiesImpl;
import io.pgdr.failover.ReplicaPromotionWorkflowImpl;
import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.temporal.worker.Worker;

/** What a pgdr worker serves: every scenario's workflow and the adapters they call. One list, one place. */
final class Registrations {

  private Registrations() {}

  static void register(Worker worker, KubernetesClient kubernetes) {
    worker.registerWorkflowImplementationTypes(ReplicaPromotionWorkflowImpl.class, RestoreFromBackupWorkflowImpl.class);
    CredentialResolver credentials = new CredentialResolver(kubernetes, System::getenv);
    worker.registerActivitiesImplementations(
        new KubernetesActivitiesImpl(kubernetes),
        new PostgresActivitiesImpl(credentials),
        new NotificationActivitiesImpl());
  }
}
