package io.pgdr.activities.readiness;

import io.pgdr.ports.ReadinessActivities;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.target.DatabaseTarget;
import java.util.Objects;

/** {@link ReadinessActivities} with the worker's clients. */
public final class ReadinessActivitiesImpl implements ReadinessActivities {

  private final ReadinessCheck check;

  public ReadinessActivitiesImpl(ReadinessCheck check) {
    this.check = Objects.requireNonNull(check, "check");
  }

  @Override
  public ReadinessReport checkReadiness(DatabaseTarget target) {
    return check.check(target);
  }
}
