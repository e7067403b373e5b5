package io.pgdr.lab;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lab controller's loop: one round every 200 ms on a daemon thread of its own, a failed round
 * logged and the next one tried (the mock API or a server may be mid-shutdown).
 */
final class ReconcileLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReconcileLoop.class);

  private final ScheduledExecutorService loop;

  private ReconcileLoop(String name, Runnable round) {
    loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, name);
      thread.setDaemon(true);
      return thread;
    });
    loop.scheduleWithFixedDelay(() -> {
      try {
        round.run();
      } catch (RuntimeException e) {
        log.warn("{} round failed: {}", name, e.toString());
      }
    }, 0, 200, TimeUnit.MILLISECONDS);
  }

  static ReconcileLoop start(String name, Runnable round) {
    return new ReconcileLoop(name, round);
  }

  /** Stops the loop, waiting for a round under way to end. */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
