package io.pgdr.run;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PatroniActivities;
import io.pgdr.ports.PitrActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.ReadinessActivities;
import io.pgdr.ports.RejoinActivities;
import io.pgdr.ports.ReportActivities;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RunActivities;

/**
 * The ports, as workflow code calls them: one stub per call, carrying its summary ("promote
 * postgresql-1"), which the Temporal UI shows on the run's timeline. Each method's timeouts,
 * retries and local-or-not come from its port's call table ({@code CALLS}), never from here.
 */
public final class Ports {

  private Ports() {}

  public static KubernetesActivities kubernetes(String summary) {
    return KubernetesActivities.CALLS.stub(summary);
  }

  public static PostgresActivities postgres(String summary) {
    return PostgresActivities.CALLS.stub(summary);
  }

  public static BackupActivities backups(String summary) {
    return BackupActivities.CALLS.stub(summary);
  }

  public static RestoreActivities restore(String summary) {
    return RestoreActivities.CALLS.stub(summary);
  }

  public static PitrActivities pitr(String summary) {
    return PitrActivities.CALLS.stub(summary);
  }

  public static RejoinActivities rejoin(String summary) {
    return RejoinActivities.CALLS.stub(summary);
  }

  public static PatroniActivities patroni(String summary) {
    return PatroniActivities.CALLS.stub(summary);
  }

  public static ReadinessActivities readiness(String summary) {
    return ReadinessActivities.CALLS.stub(summary);
  }

  public static ReportActivities reports(String summary) {
    return ReportActivities.CALLS.stub(summary);
  }

  public static RunActivities runs(String summary) {
    return RunActivities.CALLS.stub(summary);
  }

  public static NotificationActivities notifications(String summary) {
    return NotificationActivities.CALLS.stub(summary);
  }
}
