package io.pgdr.activities.kubernetes;

import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The pause between two reads of the API server while waiting for the cluster to catch up: a
 * heartbeat saying what was seen (so the run shows it and a lost worker is noticed), then a second.
 */
final class WaitRound {

  static final Duration POLL = Duration.ofSeconds(1);

  private WaitRound() {}

  static void pause(Consumer<Object> heartbeat, String seen) {
    heartbeat.accept(seen);
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while " + seen, FailureTypes.INTERRUPTED);
    }
  }
}
