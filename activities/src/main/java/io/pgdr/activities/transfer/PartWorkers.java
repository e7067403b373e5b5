package io.pgdr.activities.transfer;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Moves parts on a few threads, each with a database session of its own, while the calling thread
 * (the activity's, the only one that may heartbeat) reports progress. The first failure, or a
 * report that throws because the activity was cancelled, stops the rest: queued parts are dropped,
 * the threads are interrupted and their sessions aborted, so an unfinished part's transaction
 * rolls back instead of committing later.
 */
public final class PartWorkers {

  /** One part's work, in the session of the thread that runs it. */
  @FunctionalInterface
  public interface PartTask {
    void run(Connection session) throws Exception;
  }

  /** Opens (and prepares) the session of one thread; null for tasks that need none. */
  @FunctionalInterface
  public interface SessionOpener {
    Connection open() throws SQLException;
  }

  private static final long REPORT_EVERY_MILLIS = 1000;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private PartWorkers() {}

  /**
   * Runs every task, in list order, on up to {@code threads} threads; returns when all succeeded.
   *
   * @param opener opens each thread's session; null when the tasks need none
   *
   * @param report called on the calling thread about once a second, and once at the end
   * @throws Exception the first task's (or session opener's) failure, as thrown
   */
  public static void run(int threads, SessionOpener opener, List<PartTask> tasks, Runnable report) throws Exception {
    if (tasks.isEmpty()) {
      report.run();
      return;
    }
    int workers = Math.max(1, Math.min(threads, tasks.size()));
    Queue<PartTask> queue = new ConcurrentLinkedQueue<>(tasks);
    Set<Connection> sessions = ConcurrentHashMap.newKeySet();
    String name = "pgdr-parts-" + POOLS.incrementAndGet() + "-";
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
      Thread thread = new Thread(runnable, name + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    ExecutorCompletionService<Void> completion = new ExecutorCompletionService<>(pool);
    for (int i = 0; i < workers; i++) {
      completion.submit(() -> {
        try (Connection session = opener == null ? null : opener.open()) {
          if (session != null) {
            sessions.add(session);
          }
          PartTask task;
          while (!Thread.currentThread().isInterrupted() && (task = queue.poll()) != null) {
            task.run(session);
          }
          if (session != null) {
            sessions.remove(session);
          }
        }
        return null;
      });
    }
    int finished = 0;
    try {
      while (finished < workers) {
        var done = completion.poll(REPORT_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        if (done != null) {
          done.get();
          finished++;
        }
        report.run();
      }
    } catch (ExecutionException e) {
      stop(pool, queue, sessions);
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (InterruptedException e) {
      stop(pool, queue, sessions);
      Thread.currentThread().interrupt();
      throw e;
    } catch (RuntimeException e) {
      stop(pool, queue, sessions);
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void stop(ExecutorService pool, Queue<PartTask> queue, Set<Connection> sessions) {
    queue.clear();
    pool.shutdownNow();
    for (Connection session : sessions) {
      try {
        // closes the socket under a running statement: the server rolls its transaction back
        session.abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        // already closed
      }
    }
    try {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
