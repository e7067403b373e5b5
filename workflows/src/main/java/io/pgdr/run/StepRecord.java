package io.pgdr.run;

import java.time.Duration;
import java.time.Instant;

/** One step of a run's timeline. {@code outcome}: running, succeeded, failed or skipped. */
public record StepRecord(String name, Instant start, Instant end, String outcome, String detail) {

  public Double seconds() {
    return end == null ? null : Duration.between(start, end).toMillis() / 1000.0;
  }
}
