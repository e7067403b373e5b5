package io.pgdr.ports;

import io.pgdr.target.Notify;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/** Tells humans. Logged always; posted as JSON to the target's webhook when it names one. */
@ActivityInterface
public interface NotificationActivities {

  /** A webhook call; its failure after the retries is a warning on the run, never the run's failure. */
  CallOptions WEBHOOK = CallOptions.activity(Duration.ofSeconds(15), 3, Duration.ofSeconds(1));

  CallTable<NotificationActivities> CALLS = CallTable.of(NotificationActivities.class)
      .calls(WEBHOOK, "escalate")
      .build();

  @ActivityMethod
  void escalate(Notify notify, Escalation escalation);
}
