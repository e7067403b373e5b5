package io.pgdr.ports;

import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.List;

/**
 * How one activity method is called: as an ordinary or a local activity, its timeouts and its
 * retries. Each port declares these per method in its {@link CallTable}, beside the method itself,
 * so a caller cannot give a long call a short timeout by picking the wrong stub.
 *
 * @param local run in the worker inside the workflow task (short, idempotent calls on the
 *     critical path); false: an ordinary activity on the task queue
 * @param startToClose one attempt's limit
 * @param scheduleToClose all attempts' limit; null: unbounded but for {@code attempts}
 * @param heartbeat how long an ordinary activity may go without a heartbeat before its worker
 *     counts as lost; null: it does not heartbeat
 * @param attempts attempts in all, the first included
 * @param firstRetry the wait before the first retry, doubled each time up to {@code maxRetryInterval}
 * @param doNotRetry failure types ({@link FailureTypes}) a retry cannot fix
 */
public record CallOptions(boolean local, Duration startToClose, Duration scheduleToClose, Duration heartbeat, int attempts,
    Duration firstRetry, Duration maxRetryInterval, List<String> doNotRetry) {

  /**
   * How long an ordinary activity may go without a heartbeat before its worker counts as lost and
   * another worker takes the call over: seconds, so a SIGKILLed worker costs seconds of RTO, never
   * a long step's whole start-to-close timeout. Every activity that can run longer heartbeats well
   * inside it (progress each second, or a keep-alive every 2 s while one statement blocks; the worker
   * forwards heartbeats at most once a second), so 5 s leaves a stall of 3 s before a live attempt
   * is taken for lost, and a retry that still finds it running meets what it already changed.
   */
  public static final Duration WORKER_LOST_AFTER = Duration.ofSeconds(5);

  private static final Duration MAX_RETRY_INTERVAL = Duration.ofSeconds(10);

  /** An ordinary activity that finishes quickly: no heartbeat, a lost worker costs its start-to-close timeout. */
  public static CallOptions activity(Duration startToClose, int attempts, Duration firstRetry) {
    return new CallOptions(false, startToClose, null, null, attempts, firstRetry, MAX_RETRY_INTERVAL, List.of());
  }

  /** An ordinary activity that may run long and heartbeats: a lost worker is noticed within {@link #WORKER_LOST_AFTER}. */
  public static CallOptions heartbeating(Duration startToClose, int attempts, Duration firstRetry) {
    return new CallOptions(false, startToClose, null, WORKER_LOST_AFTER, attempts, firstRetry, MAX_RETRY_INTERVAL, List.of());
  }

  /** A local activity: no heartbeat (the workflow task's own timeout notices a lost worker). */
  public static CallOptions local(Duration startToClose, Duration scheduleToClose, int attempts, Duration firstRetry) {
    return new CallOptions(true, startToClose, scheduleToClose, null, attempts, firstRetry, MAX_RETRY_INTERVAL, List.of());
  }

  public CallOptions notRetrying(String... failureTypes) {
    return new CallOptions(local, startToClose, scheduleToClose, heartbeat, attempts, firstRetry, maxRetryInterval, List.of(failureTypes));
  }

  public CallOptions maxRetryInterval(Duration interval) {
    return new CallOptions(local, startToClose, scheduleToClose, heartbeat, attempts, firstRetry, interval, doNotRetry);
  }

  /** The same call as an ordinary activity: only for replaying runs recorded before it became local. */
  public CallOptions asOrdinaryActivity(Duration startToClose) {
    return new CallOptions(false, startToClose, null, WORKER_LOST_AFTER, attempts, firstRetry, maxRetryInterval, doNotRetry);
  }

  RetryOptions retries() {
    String[] notRetried = doNotRetry.toArray(String[]::new);
    return RetryOptions.newBuilder()
        .setInitialInterval(firstRetry)
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(maxRetryInterval)
        .setMaximumAttempts(attempts)
        .setDoNotRetry(notRetried)
        .build();
  }

  ActivityOptions activityOptions(String summary) {
    ActivityOptions.Builder options = ActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(startToClose)
        .setRetryOptions(retries());
    if (heartbeat != null) {
      options.setHeartbeatTimeout(heartbeat);
    }
    if (scheduleToClose != null) {
      options.setScheduleToCloseTimeout(scheduleToClose);
    }
    return options.build();
  }

  LocalActivityOptions localOptions(String summary) {
    LocalActivityOptions.Builder options = LocalActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(startToClose)
        .setRetryOptions(retries());
    if (scheduleToClose != null) {
      options.setScheduleToCloseTimeout(scheduleToClose);
    }
    return options.build();
  }
}
