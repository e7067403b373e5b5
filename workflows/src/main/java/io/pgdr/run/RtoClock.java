package io.pgdr.run;

import io.temporal.workflow.Async;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The RTO budget of a run, counted from the incident start with workflow timers: warnings at 50%
 * and 80% of the objective, breach at 100%. A threshold already past when the run starts (an
 * incident reported late) is recorded at once.
 */
public final class RtoClock {

  private static final int[] WARN_PERCENTS = {50, 80};

  /** Where the incident start came from, as the report says it. */
  public static final String GIVEN = "given when the run was started";
  public static final String RUN_START = "none given: the run's start";
  public static final String FIRST_TASK = "none given: when a worker first ran the run";

  private final Instant incidentStart;
  private final String incidentStartBasis;
  private final Duration objective;
  private final List<String> warnings = new ArrayList<>();
  private boolean breached;

  public RtoClock(Instant incidentStart, String incidentStartBasis, Duration objective) {
    this.incidentStart = incidentStart;
    this.incidentStartBasis = incidentStartBasis;
    this.objective = objective;
  }

  /**
   * Starts the timers. In workflow context, {@code onWarning} runs at each warning threshold (its
   * warning already recorded) and {@code onBreach} once, when the objective passes.
   */
  public void start(Runnable onWarning, Consumer<String> onBreach) {
    for (int percent : WARN_PERCENTS) {
      Async.procedure(() -> {
        sleepUntil(percent, "RTO " + percent + "% warning");
        warnings.add("RTO " + percent + "% used (" + human(objective.multipliedBy(percent).dividedBy(100)) + " of " + human(objective) + ")");
        onWarning.run();
      });
    }
    Async.procedure(() -> {
      sleepUntil(100, "RTO breach (" + human(objective) + ")");
      breached = true;
      String message = "RTO breached: " + human(objective) + " since the incident started at " + incidentStart;
      warnings.add(message);
      onBreach.accept(message);
    });
  }

  private void sleepUntil(int percent, String summary) {
    Instant at = incidentStart.plus(objective.multipliedBy(percent).dividedBy(100));
    Duration wait = Duration.between(Timeline.now(), at);
    if (!wait.isNegative() && !wait.isZero()) {
      Workflow.newTimer(wait, TimerOptions.newBuilder().setSummary(summary).build()).get();
    }
  }

  public RtoFigures figures(Instant recoveredAt) {
    Double measured = recoveredAt == null ? null : Duration.between(incidentStart, recoveredAt).toMillis() / 1000.0;
    boolean late = breached || (recoveredAt != null && Duration.between(incidentStart, recoveredAt).compareTo(objective) > 0);
    return new RtoFigures(measured, objective.toSeconds(), late, List.copyOf(warnings), incidentStartBasis);
  }

  public boolean breached() {
    return breached;
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  public Instant incidentStart() {
    return incidentStart;
  }

  static String human(Duration d) {
    long seconds = d.toSeconds();
    if (seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
