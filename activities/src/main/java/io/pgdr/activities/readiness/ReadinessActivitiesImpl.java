package io.pgdr.activities.readiness;

import io.pgdr.activities.temporal.HeartbeatWhileBlocked;
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
    // a lost worker is noticed in seconds, not after the call's whole timeout
    return HeartbeatWhileBlocked.run("checking whether a recovery of " + target.name() + " would work", () -> check.check(target));
  }
}
