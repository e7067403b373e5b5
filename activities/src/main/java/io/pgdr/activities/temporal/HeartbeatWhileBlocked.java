package io.pgdr.activities.temporal;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    return run(doing, () -> { }, work);
  }

  /**
   * As {@link #run(String, Work)}; when Temporal refuses a heartbeat (the attempt timed out, was
   * cancelled, or another worker took it over), {@code abandon} runs once, so the blocked call ends
   * instead of holding its connection and locks until its statement finishes.
   */
  public static <T, E extends Exception> T run(String doing, Runnable abandon, Work<T, E> work) throws E {
    ActivityExecutionContext context = ordinaryActivity();
    if (context == null) {
      return work.run();
    }
    OWN_DETAILS.put(context, doing);
    AtomicBoolean abandoned = new AtomicBoolean();
    ScheduledFuture<?> beats = BEATS.scheduleAtFixedRate(() -> {
      if (!beat(context, OWN_DETAILS.getOrDefault(context, doing)) && abandoned.compareAndSet(false, true)) {
        abandon.run();
      }
    }, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return work.run();
    } finally {
      beats.cancel(false);
      OWN_DETAILS.remove(context);
    }
  }

  /** Ends a JDBC connection under its running statement: the server rolls the statement back. */
  public static Runnable aborting(Connection connection) {
    return () -> {
      try {
        connection.abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        log.debug("abort of an abandoned call's connection: {}", e.toString());
      }
    };
  }

  /** @return false when Temporal refused the heartbeat: the attempt is over, whatever its thread does */
  private static boolean beat(ActivityExecutionContext context, Object doing) {
    try {
      context.heartbeat(doing);
      return true;
    } catch (ActivityCompletionException e) {
      log.warn("heartbeat of '{}' refused ({}): abandoning the call", doing, e.getClass().getSimpleName());
      return false;
    } catch (RuntimeException e) {
      log.warn("heartbeat of '{}' failed: {}", doing, e.toString());
      return true;
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
