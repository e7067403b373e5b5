package io.pgdr.lab;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition of a real component until it holds, failing with what was awaited. */
final class Eventually {

  private Eventually() {}

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
    throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
  }
}
