package io.pgdr.activities;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import io.temporal.activity.Activity;
import java.time.Duration;

/**
 * Restore throughput, recorded through the running activity's metrics scope (the worker exports it
 * on {@code /metrics}; names as Prometheus shows them):
 * <ul>
 *   <li>{@code pgdr_restore_bytes_total} — bytes restored, counted as they go, so
 *       {@code rate(pgdr_restore_bytes_total[1m])} is the live rate;</li>
 *   <li>{@code pgdr_restore_rate_bytes_per_second} — the average rate of the last finished restore;</li>
 *   <li>{@code pgdr_restore_duration_seconds} (histogram) — finished restores.</li>
 * </ul>
 * The SDK labels them with the activity type, namespace and task queue. Outside an activity (a
 * unit test calling the adapter directly) every call does nothing.
 */
public final class TransferMetrics {

  static final String RESTORE_BYTES = "pgdr_restore_bytes";
  static final String RESTORE_RATE = "pgdr_restore_rate_bytes_per_second";
  static final String RESTORE_DURATION = "pgdr_restore_duration";

  private final Scope scope;

  private TransferMetrics(Scope scope) {
    this.scope = scope;
  }

  /** The metrics of the activity running on this thread, or no-op ones outside an activity. */
  public static TransferMetrics current() {
    try {
      return new TransferMetrics(Activity.getExecutionContext().getMetricsScope());
    } catch (IllegalStateException notInAnActivity) {
      return new TransferMetrics(new NoopScope());
    }
  }

  /** {@code bytes} more were restored since the last call. */
  public void bytesRestored(long bytes) {
    if (bytes > 0) {
      scope.counter(RESTORE_BYTES).inc(bytes);
    }
  }

  /** A restore of {@code totalBytes} finished after {@code elapsed}. */
  public void restoreFinished(long totalBytes, Duration elapsed) {
    scope.timer(RESTORE_DURATION).record(com.uber.m3.util.Duration.ofNanos(elapsed.toNanos()));
    if (!elapsed.isZero() && !elapsed.isNegative()) {
      scope.gauge(RESTORE_RATE).update(totalBytes / (elapsed.toNanos() / 1e9));
    }
  }
}
