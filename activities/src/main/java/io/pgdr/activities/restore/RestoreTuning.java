package io.pgdr.activities.restore;

import io.pgdr.activities.temporal.ActivityHeartbeat;
import java.util.function.Consumer;

/**
 * How a restore runs, beyond what it restores.
 *
 * @param parallelism sessions loading data parts, and building indexes and constraints, at once
 * @param heartbeat receives {@link io.pgdr.ports.TransferProgress} about once a second; throws
 *     when the activity is cancelled, which stops the restore
 * @param wholeTableMaxParts a table of at most this many parts loads whole, in one transaction with
 *     its rows written frozen; a bigger one part by part in parallel, so a crash makes redo a part
 *     rather than the table ({@link DataPartLoad})
 * @param beforeCommit called in each part's transaction just before its checkpoint row is written;
 *     tests make an attempt fail at a chosen part with it
 */
record RestoreTuning(int parallelism, Consumer<Object> heartbeat, int wholeTableMaxParts, BeforeCommit beforeCommit) {

  /** A hook into each part's transaction. */
  @FunctionalInterface
  interface BeforeCommit {
    void part(String key) throws Exception;
  }

  /**
   * One session per core, at least two (the server's work, the standby's replay of its WAL and the
   * client's gunzip share the cores); tables up to 2 GB of heap (32 parts) load whole.
   */
  static RestoreTuning defaults() {
    return new RestoreTuning(Math.max(2, Runtime.getRuntime().availableProcessors()), new ActivityHeartbeat(), 32, key -> { });
  }
}
