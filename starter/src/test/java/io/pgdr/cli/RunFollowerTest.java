package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.TransferProgress;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.run.StepRecord;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --follow} during a long step: the run's status is a function of its history, so the
 * follower asks a worker for it (a query, which replays the whole run) only when the history has
 * grown, while the step's progress comes from describing the run, which no worker answers.
 */
@org.junit.jupiter.api.Tag("real-servers")
class RunFollowerTest {

  private static final String QUEUE = "run-follower-test";
  /** How long the one step runs: ten polls of the follower. */
  private static final Duration STEP = Duration.ofSeconds(5);
  static final AtomicInteger QUERIES = new AtomicInteger();

  static TemporalWithWorker temporal;

  @WorkflowInterface
  public interface OneLongStep {
    @WorkflowMethod
    RecoveryReport run();

    @QueryMethod
    RunStatus status();
  }

  @ActivityInterface
  public interface Transfer {
    void transfer();
  }

  public static class OneLongStepImpl implements OneLongStep {
    private final List<StepRecord> steps = new ArrayList<>();
    private final Transfer transfer = Workflow.newActivityStub(Transfer.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1)).setHeartbeatTimeout(Duration.ofSeconds(1)).build());

    @Override
    public RecoveryReport run() {
      Instant start = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      steps.add(new StepRecord("restore", start, null, "running", null));
      transfer.transfer();
      steps.set(0, new StepRecord("restore", start, Instant.ofEpochMilli(Workflow.currentTimeMillis()), "done", "all rows"));
      return new RecoveryReport("restore", "fabrica_db", Workflow.getInfo().getWorkflowId(), RecoveryReport.SUCCEEDED, "restored",
          start, Instant.ofEpochMilli(Workflow.currentTimeMillis()), null, null, List.of(), List.copyOf(steps), null, null, List.of(), null, null);
    }

    @Override
    public RunStatus status() {
      QUERIES.incrementAndGet();
      String current = steps.isEmpty() ? null : steps.get(steps.size() - 1).name();
      return new RunStatus("restore", "fabrica_db", "restoring", current, null, List.copyOf(steps), List.of(), List.of(), false, null, null);
    }
  }

  /** Heartbeats its progress (as a restore does) until the step's time is up. */
  static class HeartbeatingTransfer implements Transfer {
    @Override
    public void transfer() {
      long end = System.nanoTime() + STEP.toNanos();
      for (long done = 0; System.nanoTime() < end; done += 10_000_000) {
        Activity.getExecutionContext().heartbeat(new TransferProgress(done, 1_000_000_000, 1, 3, 10_000_000, 60, "public.pgbench_accounts"));
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @BeforeAll
  static void startTemporalAndAWorker() {
    temporal = TemporalWithWorker.start(QUEUE, worker -> {
      worker.registerWorkflowImplementationTypes(OneLongStepImpl.class);
      worker.registerActivitiesImplementations(new HeartbeatingTransfer());
    });
  }

  @AfterAll
  static void stop() throws InterruptedException {
    temporal.close();
  }

  @Test
  void aLongStepIsFollowedByDescribingTheRunNotByQueryingItsWorker() throws Exception {
    String run = "recovery-follower-test";
    OneLongStep stub = temporal.client.newWorkflowStub(OneLongStep.class, WorkflowOptions.newBuilder()
        .setWorkflowId(run).setTaskQueue(QUEUE).build());
    WorkflowClient.start(stub::run);
    StringWriter shown = new StringWriter();

    RecoveryReport report = new RunFollower(new Runs(temporal.client), new PrintWriter(shown), false).follow(run);

    assertEquals(RecoveryReport.SUCCEEDED, report.outcome());
    // ten or more polls during the step; a status query only when the history grew, which a poll
    // can see at most four times: the run started, its first workflow task done (the activity
    // scheduled), the activity completed, and its last workflow task started before the run closed
    assertTrue(QUERIES.get() <= 4, QUERIES.get() + " status queries while following one step\n" + shown);
    assertTrue(shown.toString().contains("restore [") && shown.toString().contains("public.pgbench_accounts"),
        "the step's progress, from the pending activity's heartbeat: " + shown);
    assertTrue(shown.toString().contains("restore          done: all rows"), shown.toString());
  }
}
