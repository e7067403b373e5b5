package io.pgdr.activities.temporal;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats an ordinary activity from a second thread while its own thread is blocked in one long
 * call that cannot report progress (a {@code count(*)}, an {@code ANALYZE}, a lock wait, a listing
 * of a big bucket). The heartbeats stop with the worker's process, so a lost worker is noticed
 * within the activity's heartbeat timeout (seconds) instead of its start-to-close timeout (up to
 * half an hour). Outside an activity, and in local activities (which cannot heartbeat; their
 * workflow task's timeout watches them), the work simply runs.
 */
public final class HeartbeatWhileBlocked {

  private static final Logger log = LoggerFactory.getLogger(HeartbeatWhileBlocked.class);

  /** Well inside any heartbeat timeout pgdr sets; the SDK throttles what it actually sends. */
  static final Duration EVERY = Duration.ofSeconds(2);

  private static final ScheduledExecutorService BEATS = Executors.newScheduledThreadPool(2, task -> {
    Thread thread = new Thread(task, "pgdr-heartbeat");
    thread.setDaemon(true);
    return thread;
  });

  /** What each running activity last reported itself, re-sent by the keep-alive so a progress bar stays. */
  private static final Map<ActivityExecutionContext, Object> OWN_DETAILS = new ConcurrentHashMap<>();

  private HeartbeatWhileBlocked() {}

  /** Called when the activity heartbeats its own progress: the keep-alive repeats it rather than replace it. */
  public static void remember(ActivityExecutionContext context, Object details) {
    if (details != null) {
      OWN_DETAILS.computeIfPresent(context, (c, old) -> details);
    }
  }

  /** A blocking piece of work and the checked exception it may throw. */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Runs {@code work}, heartbeating {@code doing} (what the UI shows on the pending activity) every
   * {@link #EVERY} until it returns or throws.
   */
  public static <T, E extends Exception> T run(String doing, Work<T, E> work) throws E {
    ActivityExecutionContext context = ordinaryActivity();
    if (context == null) {
      return work.run();
    }
    OWN_DETAILS.put(context, doing);
    ScheduledFuture<?> beats = BEATS.scheduleAtFixedRate(() -> beat(context, OWN_DETAILS.getOrDefault(context, doing)),
        0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return work.run();
    } finally {
      beats.cancel(false);
      OWN_DETAILS.remove(context);
    }
  }

  private static void beat(ActivityExecutionContext context, Object doing) {
    try {
      context.heartbeat(doing);
    } catch (ActivityCompletionException e) {
      // cancelled or timed out: the blocked thread learns it from the result it can no longer deliver
      log.debug("heartbeat of '{}' refused: {}", doing, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("heartbeat of '{}' failed: {}", doing, e.toString());
    }
  }

  private static ActivityExecutionContext ordinaryActivity() {
    try {
      ActivityExecutionContext context = Activity.getExecutionContext();
      return context.getInfo().isLocal() ? null : context;
    } catch (IllegalStateException notInActivity) {
      return null;
    }
  }
}
