package io.pgdr.ports;

import io.pgdr.target.Notify;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells humans. Logged always; posted as JSON to the target's webhook when it names one. */
@ActivityInterface
public interface NotificationActivities {

  @ActivityMethod
  void escalate(Notify notify, Escalation escalation);
}
