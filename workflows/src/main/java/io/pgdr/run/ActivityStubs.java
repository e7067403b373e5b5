package io.pgdr.run;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.RestoreActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Timeouts and retries for each adapter, decided once for every scenario. Each stub is made for
 * one call and carries its summary ("promote postgresql-1"), which the Temporal UI shows on the
 * run's timeline; a stub is only a proxy, so one per call costs nothing.
 */
public final class ActivityStubs {

  private ActivityStubs() {}

  /**
   * How long an ordinary activity may go without a heartbeat before its worker counts as lost and
   * another worker takes the call over: seconds, so a SIGKILLed worker costs seconds of RTO, never
   * a long step's whole start-to-close timeout. Every activity that can run longer heartbeats well
   * inside it (progress, or a keep-alive while one statement blocks).
   */
  static final Duration WORKER_LOST_AFTER = Duration.ofSeconds(10);

  /**
   * API calls are quick (the client gives up on a silent API server within 13 s); a retry rides out
   * an API server hiccup, and a lost worker costs at most the start-to-close timeout.
   */
  public static KubernetesActivities kubernetes(String summary) {
    return Workflow.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofSeconds(15))
        .setRetryOptions(retries(5, Duration.ofMillis(500)))
        .build());
  }

  /**
   * Waiting for the cluster: a recreated pod (scheduling, volume provisioning, image pull, a fresh
   * server's first start) or writers scaled back take minutes on a real cluster. The wait
   * heartbeats every poll, so a lost worker is noticed within the heartbeat timeout and another
   * worker waits on.
   */
  public static KubernetesActivities kubernetesWait(String summary) {
    return Workflow.newActivityStub(KubernetesActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofMinutes(15))
        .setHeartbeatTimeout(WORKER_LOST_AFTER)
        .setRetryOptions(retries(3, Duration.ofSeconds(1)))
        .build());
  }

  /**
   * Short, idempotent calls on the outage's critical path (diagnosis reads, fencing, repointing)
   * run as local activities: in the worker, within the workflow task, without a task-queue round
   * trip and a workflow task per call. Their results are recorded in history all the same; a
   * worker lost mid-call means the next worker makes the call again, which these calls tolerate
   * (reads, and writes that are idempotent). Long or human-visible work (promotion with its
   * heartbeats, app restarts, verification) stays ordinary activities.
   */
  public static KubernetesActivities kubernetesQuick(String summary) {
    return Workflow.newLocalActivityStub(KubernetesActivities.class, LocalActivityOptions.newBuilder()
        .setSummary(summary)
        // a silent API server fails each call within 13 s: the diagnosis fails in under a minute, naming it
        .setStartToCloseTimeout(Duration.ofSeconds(15))
        .setScheduleToCloseTimeout(Duration.ofSeconds(60))
        .setRetryOptions(retries(3, Duration.ofMillis(500)))
        .build());
  }

  /** {@code inspectServer} and {@code fenceServer} as local activities, for the reason given at {@link #kubernetesQuick(String)}. */
  public static PostgresActivities postgresQuick(String summary) {
    return Workflow.newLocalActivityStub(PostgresActivities.class, LocalActivityOptions.newBuilder()
        .setSummary(summary)
        // login within 6 s, statements within 30 s; a dead server is an answer, not a failure
        .setStartToCloseTimeout(Duration.ofSeconds(45))
        .setScheduleToCloseTimeout(Duration.ofSeconds(90))
        .setRetryOptions(retries(3, Duration.ofSeconds(1)))
        .build());
  }

  /**
   * Verification: a write probe and {@code count(*)} of the integrity tables, minutes for big ones;
   * it heartbeats while a count runs, so a lost worker is noticed in seconds.
   */
  public static PostgresActivities postgres(String summary) {
    return Workflow.newActivityStub(PostgresActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofMinutes(30))
        .setHeartbeatTimeout(WORKER_LOST_AFTER)
        .setRetryOptions(retries(3, Duration.ofSeconds(1)))
        .build());
  }

  /**
   * Promotion polls until the server leaves recovery (up to a minute) and heartbeats while it
   * waits: the heartbeat timeout notices a dead worker in seconds, the start-to-close timeout
   * bounds the whole wait.
   */
  public static PostgresActivities promotion(String summary) {
    return Workflow.newActivityStub(PostgresActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofMinutes(3))
        .setHeartbeatTimeout(WORKER_LOST_AFTER)
        .setRetryOptions(retries(3, Duration.ofSeconds(1)))
        .build());
  }

  /**
   * Promotion as a local activity (see the failover workflow for why). It waits up to a minute for
   * the server to leave recovery; the start-to-close timeout bounds the wait, and the worker keeps
   * its workflow task alive meanwhile. Local activities cannot heartbeat, and need not: the
   * workflow task's own timeout notices a lost worker.
   */
  public static PostgresActivities promotionLocal(String summary) {
    return Workflow.newLocalActivityStub(PostgresActivities.class, LocalActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retries(3, Duration.ofSeconds(1)))
        .build());
  }

  /**
   * Listing and checking backups reads the store, and checking a dump taken by another tool reads
   * it through: minutes for a big one, hence the long timeout and the heartbeat.
   */
  public static BackupActivities backups(String summary) {
    return Workflow.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofMinutes(30))
        .setHeartbeatTimeout(WORKER_LOST_AFTER)
        .setRetryOptions(RetryOptions.newBuilder(retries(3, Duration.ofSeconds(2)))
            .setDoNotRetry(FailureTypes.LOCATION_MISSING, FailureTypes.STORE_ACCESS_DENIED, FailureTypes.BACKUP_NOT_FOUND)
            .build())
        .build());
  }

  /**
   * A restore runs for as long as the data takes (hours for a big database) and heartbeats its
   * progress: a lost worker is noticed within the heartbeat timeout and the restore resumes on
   * another from its checkpoint. Retried for long, since each retry only redoes the part in flight;
   * a corrupt backup or refused credentials are not retried.
   */
  public static RestoreActivities restore(String summary) {
    return Workflow.newActivityStub(RestoreActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofHours(12))
        .setHeartbeatTimeout(WORKER_LOST_AFTER)
        .setRetryOptions(RetryOptions.newBuilder(retries(20, Duration.ofSeconds(1)))
            .setMaximumInterval(Duration.ofSeconds(30))
            .setDoNotRetry(FailureTypes.BACKUP_CORRUPT, FailureTypes.CREDENTIALS_REFUSED)
            .build())
        .build());
  }

  /**
   * Row counts with ANALYZE, and the rename swap: seconds to many minutes, no progress to report;
   * they heartbeat while their statements run, so a lost worker is noticed in seconds.
   */
  public static RestoreActivities restoreSteps(String summary) {
    return Workflow.newActivityStub(RestoreActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofMinutes(30))
        .setHeartbeatTimeout(WORKER_LOST_AFTER)
        .setRetryOptions(RetryOptions.newBuilder(retries(3, Duration.ofSeconds(2)))
            .setDoNotRetry(FailureTypes.CREDENTIALS_REFUSED)
            .build())
        .build());
  }

  public static NotificationActivities notifications(String summary) {
    return Workflow.newActivityStub(NotificationActivities.class, ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(Duration.ofSeconds(15))
        .setRetryOptions(retries(3, Duration.ofSeconds(1)))
        .build());
  }

  private static RetryOptions retries(int attempts, Duration first) {
    return RetryOptions.newBuilder()
        .setInitialInterval(first)
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(Duration.ofSeconds(10))
        .setMaximumAttempts(attempts)
        .build();
  }
}
