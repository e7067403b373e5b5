package io.pgdr.activities.transfer;

import io.pgdr.ports.TransferProgress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters that the threads moving parts update and the activity's own thread turns into a
 * {@link TransferProgress} to heartbeat. The rate counts this attempt's bytes only, so a resumed
 * restore does not claim the speed of the work an earlier attempt did.
 */
public final class PartProgress {

  private final long bytesTotal;
  private volatile int partsTotal;
  private final long startNanos = System.nanoTime();
  private final AtomicLong bytesBefore = new AtomicLong();
  private final AtomicLong bytesNow = new AtomicLong();
  private final AtomicInteger partsDone = new AtomicInteger();
  private final Map<Long, String> current = new ConcurrentHashMap<>();

  /**
   * @param bytesTotal all bytes the work moves, or -1 when unknown
   * @param partsTotal all parts, or -1 when unknown
   */
  public PartProgress(long bytesTotal, int partsTotal) {
    this.bytesTotal = bytesTotal;
    this.partsTotal = partsTotal;
  }

  /** Once the parts are known. */
  public void partsTotal(int parts) {
    partsTotal = parts;
  }

  /** Parts an earlier attempt finished: they count as done but not toward this attempt's rate. */
  public void alreadyDone(int parts, long bytes) {
    partsDone.addAndGet(parts);
    bytesBefore.addAndGet(bytes);
  }

  public void addBytes(long bytes) {
    bytesNow.addAndGet(bytes);
  }

  /** Bytes this attempt moved (what {@link #alreadyDone} recorded is not in it). */
  public long bytesThisAttempt() {
    return bytesNow.get();
  }

  public void partDone() {
    partsDone.incrementAndGet();
  }

  /** What the calling thread works on now, in words; null when it is between parts. */
  public void working(String what) {
    long thread = Thread.currentThread().getId();
    if (what == null) {
      current.remove(thread);
    } else {
      current.put(thread, what);
    }
  }

  public TransferProgress snapshot() {
    long now = bytesNow.get();
    double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    double rate = now / seconds;
    long done = bytesBefore.get() + now;
    long eta = bytesTotal < 0 || rate <= 0 ? -1 : (long) Math.ceil(Math.max(0, bytesTotal - done) / rate);
    String working = current.isEmpty() ? "" : String.join(", ", current.values().stream().sorted().toList());
    return new TransferProgress(done, bytesTotal, partsDone.get(), partsTotal, rate, eta, working);
  }
}
