package io.pgdr.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's meters in one Prometheus registry: the Temporal SDK's (requests, polls, task
 * latencies) and pgdr's own ({@code io.pgdr.run.RunMetrics}, {@code io.pgdr.activities.TransferMetrics}),
 * which workflows and activities record through the same tally scope, plus the JVM's. The scope
 * goes on the service stubs ({@link TemporalConnection#withMetrics}); the SDK hands it to every
 * workflow and activity of workers built on that client.
 */
public final class WorkerMetrics implements AutoCloseable {

  /** Counters and gauges reach the registry at this pace; Prometheus scrapes every 15 s or more. */
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(WorkerMetrics.class);

  /**
   * The SDK's histograms end at 30 s, made for task latencies; pgdr's measure RTOs, approval waits
   * and restores, from seconds to hours, so theirs span that.
   */
  private static final MeterFilter HUMAN_SCALE_HISTOGRAMS = new MeterFilter() {
    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      if (!id.getName().startsWith("pgdr_")) {
        return config;
      }
      return DistributionStatisticConfig.builder()
          .minimumExpectedValue((double) Duration.ofSeconds(1).toNanos())
          .maximumExpectedValue((double) Duration.ofHours(24).toNanos())
          .build()
          .merge(config);
    }
  };

  private final PrometheusMeterRegistry registry;
  private final Scope scope;
  private final JvmGcMetrics gcMetrics;

  private WorkerMetrics(PrometheusMeterRegistry registry, Scope scope, JvmGcMetrics gcMetrics) {
    this.registry = registry;
    this.scope = scope;
    this.gcMetrics = gcMetrics;
  }

  public static WorkerMetrics start() {
    return start(REPORT_INTERVAL);
  }

  /** @param reportInterval how often the SDK's scope reports into the registry (tests use a short one) */
  static WorkerMetrics start(Duration reportInterval) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(HUMAN_SCALE_HISTOGRAMS);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    Scope scope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofMillis(reportInterval.toMillis()));
    return new WorkerMetrics(registry, scope, gc);
  }

  /** The tally scope to set on the Temporal service stubs. */
  public Scope temporalScope() {
    return scope;
  }

  /** Every meter in the Prometheus text format (0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    try {
      scope.close(); // reports what is pending, then stops the reporting thread
    } catch (Exception e) {
      log.warn("closing the metrics scope: {}", e.toString());
    }
    gcMetrics.close();
    registry.close();
  }
}
