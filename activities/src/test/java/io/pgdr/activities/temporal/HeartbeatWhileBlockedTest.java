package io.pgdr.activities.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.ActivityCanceledException;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** An activity blocked in one long call keeps heartbeating, and a progress report of its own is repeated, not replaced. */
// mostly waits in real time: it runs beside the module's other classes, its own tests one after another (they share its latches)
@Execution(ExecutionMode.CONCURRENT)
class HeartbeatWhileBlockedTest {

  @ActivityInterface
  public interface Blocking {
    String block(long millis);

    String reportThenBlock(long millis);

    String blockUntilAbandoned();
  }

  static final class BlockingImpl implements Blocking {
    @Override
    public String block(long millis) {
      return blocked(() -> HeartbeatWhileBlocked.run("counting rows", () -> {
        Thread.sleep(millis);
        return "done";
      }));
    }

    @Override
    public String reportThenBlock(long millis) {
      return blocked(() -> HeartbeatWhileBlocked.run("restoring", () -> {
        new ActivityHeartbeat().accept("42 of 100 parts");
        Thread.sleep(millis);
        return "done";
      }));
    }

    /** Blocks as a statement would, until the keep-alive gives the call up and "aborts its connection". */
    @Override
    public String blockUntilAbandoned() {
      CountDownLatch connection = new CountDownLatch(1);
      return blocked(() -> HeartbeatWhileBlocked.run("counting rows", () -> {
        ABANDONED.set(true);
        connection.countDown();
      }, () -> {
        BLOCKED.countDown();
        return connection.await(30, TimeUnit.SECONDS) ? "abandoned" : "never abandoned";
      }));
    }

    private static String blocked(HeartbeatWhileBlocked.Work<String, InterruptedException> work) {
      try {
        return work.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static final CountDownLatch BLOCKED = new CountDownLatch(1);
  static final AtomicBoolean ABANDONED = new AtomicBoolean();

  private TestActivityEnvironment env;
  private final List<String> beats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new BlockingImpl());
    env.setActivityHeartbeatListener(String.class, beats::add);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private Blocking stub() {
    return env.newActivityStub(Blocking.class, ActivityOptions.newBuilder()
        // the SDK sends at most one heartbeat per 80 % of this: short enough to see several
        .setStartToCloseTimeout(Duration.ofMinutes(1)).setHeartbeatTimeout(Duration.ofSeconds(3)).build());
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void aBlockedCallHeartbeatsUntilItReturns() {
    assertEquals("done", stub().block(HeartbeatWhileBlocked.EVERY.multipliedBy(3).plusMillis(500).toMillis()));

    assertTrue(beats.size() >= 2, "heartbeats while blocked: " + beats);
    assertTrue(beats.stream().allMatch("counting rows"::equals), beats.toString());
    int after = beats.size();
    sleep(HeartbeatWhileBlocked.EVERY.multipliedBy(2));
    assertEquals(after, beats.size(), "no heartbeat once the call returned");
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void theActivitysOwnProgressIsRepeatedNotReplaced() {
    stub().reportThenBlock(HeartbeatWhileBlocked.EVERY.multipliedBy(3).plusMillis(500).toMillis());

    int own = beats.indexOf("42 of 100 parts");
    assertTrue(own >= 0, beats.toString());
    assertTrue(beats.size() > own + 1, "keep-alive beats after the report: " + beats);
    assertTrue(beats.subList(own, beats.size()).stream().allMatch("42 of 100 parts"::equals), beats.toString());
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD)
  void aCallWhoseHeartbeatIsRefusedIsAbandonedNotLeftRunning() throws Exception {
    CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> {
      try {
        return stub().blockUntilAbandoned();
      } catch (ActivityCanceledException cancelled) {
        return "abandoned"; // the test environment may surface the cancellation itself
      }
    });
    assertTrue(BLOCKED.await(30, TimeUnit.SECONDS), "the call never started");

    env.requestCancelActivity(); // the next heartbeat is refused, as for a timed-out or cancelled attempt

    assertEquals("abandoned", call.get(30, TimeUnit.SECONDS));
    assertTrue(ABANDONED.get(), "the keep-alive gave the call up when its heartbeat was refused");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
