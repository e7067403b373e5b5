package io.pgdr.run;

import com.uber.m3.tally.Scope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Map;

/**
 * pgdr's run metrics, recorded from workflow code through {@link Workflow#getMetricsScope()}: the
 * SDK drops what is recorded while a history is replayed, so a run counts once however often a
 * worker replays it. The worker exports them on {@code /metrics} (names as Prometheus shows them):
 * <ul>
 *   <li>{@code pgdr_runs_total{scenario,outcome,rto_breached}} — finished runs;</li>
 *   <li>{@code pgdr_run_rto_seconds{scenario,outcome}} (histogram) — measured RTO, incident start
 *       to verified, of the runs that have one;</li>
 *   <li>{@code pgdr_approval_wait_seconds{scenario}} (histogram) — asked to decided.</li>
 * </ul>
 * The SDK adds its own labels (namespace, task_queue, workflow_type).
 */
public final class RunMetrics {

  static final String RUNS = "pgdr_runs";
  static final String RUN_RTO = "pgdr_run_rto";
  static final String APPROVAL_WAIT = "pgdr_approval_wait";

  private RunMetrics() {}

  /** A run's end, from its report. */
  public static void runFinished(RecoveryReport report) {
    RtoFigures rto = report.rto();
    runFinished(report.scenario(), report.outcome(), rto == null ? null : rto.measuredSeconds(), rto != null && rto.breached());
  }

  /**
   * @param outcome succeeded, failed or aborted ({@link RecoveryReport})
   * @param rtoSeconds the measured RTO, or null when the run did not recover
   */
  public static void runFinished(String scenario, String outcome, Double rtoSeconds, boolean rtoBreached) {
    Scope scope = Workflow.getMetricsScope();
    scope.tagged(Map.of("scenario", scenario, "outcome", outcome, "rto_breached", Boolean.toString(rtoBreached)))
        .counter(RUNS).inc(1);
    if (rtoSeconds != null) {
      scope.tagged(Map.of("scenario", scenario, "outcome", outcome))
          .timer(RUN_RTO).record(com.uber.m3.util.Duration.ofSeconds(rtoSeconds));
    }
  }

  /** How long a destructive step waited for a human decision (approval, rejection or timeout). */
  public static void approvalWaited(String scenario, Duration waited) {
    Workflow.getMetricsScope().tagged(Map.of("scenario", scenario))
        .timer(APPROVAL_WAIT).record(com.uber.m3.util.Duration.ofNanos(waited.toNanos()));
  }
}
