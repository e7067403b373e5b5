package io.pgdr.activities.pitr;

import io.pgdr.activities.backupformat.WalCompression;
import io.pgdr.activities.backupformat.WalFileName;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Feeds a recovering server its WAL and follows it to the target: keeps the next {@link #AHEAD}
 * segments after the one the server waits for in the spool, {@link #PARALLEL} fetches at a time
 * (a prefetch, as WAL-G's and CloudNativePG's restore do), drops the ones it has replayed, and ends
 * when the server has promoted, or fails when it stopped short of the target.
 */
final class RecoveryFeed {

  /** What the server says of itself, or that it does not answer (null fields). */
  record ServerView(boolean answers, boolean inRecovery, String replayedLsn, Instant lastCommit, int timeline, String error) {}

  static final int PARALLEL = 4;
  static final int AHEAD = 16;
  private static final long POLL_MILLIS = 200;
  /** A server that has not started (no postmaster.pid) for this long has not been started: the run says so. */
  private static final Duration START_PATIENCE = Duration.ofMinutes(10);
  /**
   * A recovering server that stopped without reaching the target and is not running again after
   * this long (longer than Kubernetes' longest crash-loop back-off, 5 min), or that stopped
   * {@link #STOPS_TO_GIVE_UP} times, is not waited for any more: its log says why (a damaged
   * segment, a setting it refuses).
   */
  static final Duration RESTART_PATIENCE = Duration.ofMinutes(6);
  private static final int STOPS_TO_GIVE_UP = 3;
  private static final Logger log = LoggerFactory.getLogger(RecoveryFeed.class);

  private final S3Client client;
  private final BackupLocation location;
  private final PitrResolution resolution;
  private final WalSpool spool;
  private final Path dataDir;
  private final Consumer<Object> heartbeat;
  private final List<String> objects;
  private final List<String> names;
  /** Segments being fetched now; a name is put before its fetch is submitted, removed when it ends. */
  private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
  private static final Boolean PENDING = Boolean.TRUE;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong fetchNanos = new AtomicLong();
  private volatile Exception fetchFailure;

  private final Duration restartPatience;

  RecoveryFeed(S3Client client, BackupLocation location, PitrResolution resolution, Path dataDir, WalSpool spool, Consumer<Object> heartbeat,
      Duration restartPatience) {
    this.restartPatience = restartPatience;
    this.client = client;
    this.location = location;
    this.resolution = resolution;
    this.dataDir = dataDir;
    this.spool = spool;
    this.heartbeat = heartbeat;
    this.objects = resolution.allSegments();
    this.names = objects.stream().map(RecoveryFeed::walName).toList();
  }

  /** The name PostgreSQL asks for: the object's name without its compression suffix. */
  static String walName(String object) {
    String compression = WalFileName.parse(object).map(WalFileName::compression).orElse(null);
    return compression == null ? object : object.substring(0, object.length() - compression.length() - 1);
  }

  RecoveryReached run(Supplier<ServerView> server) throws IOException {
    long started = System.nanoTime();
    int reused = (int) names.stream().filter(spool::holds).count();
    int fetchedBefore = spool.fetched().size();
    ExecutorService fetchers = Executors.newFixedThreadPool(PARALLEL, r -> {
      Thread thread = new Thread(r, "pgdr-wal-fetch");
      thread.setDaemon(true);
      return thread;
    });
    Instant noServerSince = Instant.now();
    Instant stoppedSince = null;
    int stops = 0;
    long lastBeat = 0;
    ServerView seen = new ServerView(false, true, null, null, 0, "not asked yet");
    try {
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException();
        }
        Exception failed = fetchFailure;
        if (failed instanceof RuntimeException r) {
          throw r;
        } else if (failed != null) {
          throw new IOException("fetching WAL: " + failed.getMessage(), failed);
        }
        // the server first: a retry after the promotion fetches nothing more
        boolean running = Files.exists(dataDir.resolve("postmaster.pid"));
        ServerView view = running ? server.get() : new ServerView(false, true, null, null, 0, "not running");
        if (view.answers()) {
          seen = view;
          if (!view.inRecovery()) {
            stop(fetchers);
            List<String> fetched = spool.fetched();
            Set<String> distinct = new HashSet<>();
            int again = (int) fetched.stream().map(l -> l.split(" ")[0]).filter(n -> !distinct.add(n)).count();
            log.info("recovery promoted at {} (last commit {}), timeline {}", view.replayedLsn(), view.lastCommit(), view.timeline());
            return new RecoveryReached(view.timeline(), view.replayedLsn(), view.lastCommit(), fetched.size() - fetchedBefore, reused,
                again, bytes.get(), fetchNanos.get() / 1e9, (System.nanoTime() - started) / 1e9);
          }
        }
        int asking = Math.max(0, names.indexOf(spool.read(WalSpool.ASKING).orElse("")));
        for (int i = asking; i < Math.min(names.size(), asking + AHEAD); i++) {
          String name = names.get(i);
          if (!spool.holds(name) && inFlight.putIfAbsent(name, PENDING) == null) {
            String object = objects.get(i);
            fetchers.execute(() -> fetch(object, name));
          }
        }
        // replayed segments are in the server's pg_wal now; a server that restarts asks again, and gets them again
        for (int i = 0; i < asking - 1; i++) {
          spool.delete(names.get(i));
        }
        // postmaster.opts is written by each start and left at the stop; a base backup carries none
        boolean stopped = !running && Files.exists(dataDir.resolve("postmaster.opts")) && Files.exists(dataDir.resolve("recovery.signal"));
        if (stopped && stoppedSince == null) {
          stoppedSince = Instant.now();
          stops++;
        } else if (!stopped) {
          stoppedSince = null;
        }
        if (running) {
          noServerSince = Instant.now();
        } else if (Files.exists(dataDir.resolve("recovery.signal")) && spool.read(WalSpool.ASKED_BEYOND).isPresent()) {
          throw ApplicationFailure.newNonRetryableFailure("recovery ended before reaching the target: the server asked for "
              + spool.read(WalSpool.ASKED_BEYOND).get() + ", past the last WAL the archive holds for timeline " + resolution.timeline()
              + " without a gap (" + names.get(names.size() - 1) + "), and stopped" + (seen.replayedLsn() == null ? ""
              : " (replayed up to " + seen.replayedLsn() + (seen.lastCommit() == null ? "" : ", last commit " + seen.lastCommit()) + ")")
              + ". The target was not met in the archived WAL", FailureTypes.RECOVERY_ENDED_EARLY);
        } else if (stopped && (stops >= STOPS_TO_GIVE_UP || Duration.between(stoppedSince, Instant.now()).compareTo(restartPatience) > 0)) {
          throw ApplicationFailure.newNonRetryableFailure("the server recovering on " + dataDir + " stopped" + (stops > 1 ? " " + stops + " times" : "")
              + " before reaching the target, and not because the archive ran out" + (seen.replayedLsn() == null ? ""
              : " (replayed up to " + seen.replayedLsn() + ")") + ": its log says why (a damaged WAL segment, a setting it refuses)",
              FailureTypes.RECOVERY_ENDED_EARLY);
        } else if (Duration.between(noServerSince, Instant.now()).compareTo(START_PATIENCE) > 0) {
          throw ApplicationFailure.newFailure("no server has run on " + dataDir + " for " + START_PATIENCE.toMinutes()
              + " min: the pod did not start (look at its events and log)", FailureTypes.SERVER_UNREACHABLE);
        }
        if (System.nanoTime() - lastBeat > 1_000_000_000L) {
          lastBeat = System.nanoTime();
          beat(asking, seen, view, started);
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while following the recovery", FailureTypes.INTERRUPTED);
    } finally {
      stop(fetchers);
    }
  }

  /** Stops the fetches and waits for them (an S3 read ends within its timeout), so no file appears in the spool afterwards. */
  private static void stop(ExecutorService fetchers) {
    fetchers.shutdownNow();
    try {
      if (!fetchers.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        log.warn("WAL fetches still running after 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void fetch(String object, String name) {
    String key = location.prefix() + "wal/" + object;
    long start = System.nanoTime();
    try (InputStream stored = client.getObject(b -> b.bucket(location.bucket()).key(key));
         InputStream plain = WalCompression.plainByName(object, stored)) {
      long size = spool.store(name, plain);
      spool.recordFetched(name, size);
      bytes.addAndGet(size);
    } catch (SdkException e) {
      fetchFailure = StoreFailures.toFailure(location, "reading s3://" + location.bucket() + "/" + key, e);
    } catch (IOException e) {
      fetchFailure = e;
    } finally {
      fetchNanos.addAndGet(System.nanoTime() - start);
      inFlight.remove(name);
    }
  }

  private void beat(int asking, ServerView seen, ServerView now, long started) {
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    long total = resolution.segmentBytes();
    String state = now.answers() ? "replayed " + now.replayedLsn() + (now.lastCommit() == null ? "" : " (commit " + now.lastCommit() + ")")
        : "server " + now.error() + (seen.replayedLsn() == null ? "" : ", last seen at " + seen.replayedLsn());
    String target = resolution.targetTime() != null ? resolution.targetTime().toString() : "the target";
    heartbeat.accept(new TransferProgress(bytes.get(), total, asking, resolution.segments().size(), bytes.get() / seconds, -1,
        "WAL " + names.get(Math.min(asking, names.size() - 1)) + ", " + inFlight.size() + " fetching; " + state + " -> " + target));
  }
}
