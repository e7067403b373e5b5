package io.pgdr.activities.temporal;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.function.Consumer;

/**
 * Heartbeats when called inside a Temporal activity and does nothing elsewhere (nor in a local activity), so the waits that
 * report progress run unchanged in plain JUnit tests and in the CLI's lab commands. A cancelled
 * activity surfaces here as the SDK's {@code ActivityCompletionException}, ending the wait.
 */
public final class ActivityHeartbeat implements Consumer<Object> {

  @Override
  public void accept(Object details) {
    ActivityExecutionContext context;
    try {
      context = Activity.getExecutionContext();
    } catch (IllegalStateException notInActivity) {
      return;
    }
    if (context.getInfo().isLocal()) {
      return; // local activities have no heartbeats: their workflow task's timeout watches them
    }
    context.heartbeat(details);
    HeartbeatWhileBlocked.remember(context, details);
  }
}
