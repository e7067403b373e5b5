package io.pgdr.lab.drill;

import io.pgdr.lab.PostgresNode;
import java.time.Instant;

/**
 * The instant of a kill. Taken just before {@code pg_ctl stop -m immediate} is invoked, so the
 * figures measured from it include the whole outage (and pg_ctl's own wait for the server to go),
 * never less.
 *
 * @param nanos {@link System#nanoTime()} just before the stop: what a {@link ServiceWriteProbe} measures from
 * @param stoppedNanos when pg_ctl returned, having seen the server gone
 */
public record Kill(String pod, Instant at, long nanos, long stoppedNanos) {

  /** Crashes {@code server} (immediate stop) and returns when it is gone. */
  public static Kill of(PostgresNode server) {
    Instant at = Instant.now();
    long nanos = System.nanoTime();
    server.stopImmediate();
    return new Kill(server.name(), at, nanos, System.nanoTime());
  }

  public long stopMillis() {
    return (stoppedNanos - nanos) / 1_000_000;
  }
}
