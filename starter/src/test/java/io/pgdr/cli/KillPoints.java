package io.pgdr.cli;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The worker SIGKILLed at chosen moments of one run, a new worker started at once after each kill
 * (as a replacement pod would be), and what the run had recorded when each kill landed.
 */
final class KillPoints {

  /** One kill: where it was aimed, and the last event the run's history held when it landed. */
  record Kill(String aimedAt, String lastEvent, long historyLength, double secondsIntoRun) {}

  private final LabProcesses processes;
  private final WorkflowClient temporal;
  private final String workflowId;
  private final Instant started = Instant.now();
  private final List<Kill> kills = new ArrayList<>();
  /** The run's history as the server adds to it, from the first {@link #killWhen} on; null before. */
  private volatile Follower follower;

  KillPoints(LabProcesses processes, WorkflowClient temporal, String workflowId) {
    this.processes = processes;
    this.temporal = temporal;
    this.workflowId = workflowId;
  }

  /**
   * Waits (polling every 10 ms) until {@code moment} holds, then kills the worker and starts another.
   * A run that ends before the moment comes fails the test at once, with how it ended.
   */
  KillPoints killWhen(String aimedAt, Callable<Boolean> moment) throws Exception {
    if (follower == null) {
      follower = new Follower();
      follower.start();
    }
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(10)).until(() -> moment.call() || ended());
    if (!moment.call()) {
      throw new AssertionError("the run ended before the kill aimed at " + aimedAt + ": " + lastEvent(history()));
    }
    processes.killWorker();
    List<HistoryEvent> history = fetch();
    HistoryEvent last = history.isEmpty() ? null : history.get(history.size() - 1);
    kills.add(new Kill(aimedAt, last == null ? "-" : last.getEventType().name().replace("EVENT_TYPE_", ""), history.size(),
        Duration.between(started, Instant.now()).toMillis() / 1000.0));
    processes.startWorker();
    return this;
  }

  /** The step boundary into an activity: the run has scheduled it (it may be running). */
  KillPoints killAtActivity(String activityType) throws Exception {
    return killWhen("activity " + activityType + " scheduled", () -> scheduled(activityType));
  }

  /** As soon as a worker has taken the run's first workflow task (diagnosis, in the middle of it). */
  KillPoints killInFirstTask() throws Exception {
    return killWhen("first workflow task started", () -> history().stream()
        .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED));
  }

  private boolean ended() {
    return history().stream().anyMatch(e -> switch (e.getEventType()) {
      case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
          EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT -> true;
      default -> false;
    });
  }

  private static String lastEvent(List<HistoryEvent> history) {
    return history.isEmpty() ? "no history" : history.get(history.size() - 1).toString();
  }

  boolean scheduled(String activityType) {
    return history().stream().anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(activityType));
  }

  /**
   * The run's history: as followed, once a kill is armed (the moments are checked every 10 ms, and
   * reading the whole history that often loaded the Temporal server and the test's JVM); else read now.
   */
  List<HistoryEvent> history() {
    Follower following = follower;
    // a follower that stopped before the run ended (the server refused it) is read past
    return following != null && (following.isAlive() || following.followedToTheEnd) ? following.events : fetch();
  }

  private List<HistoryEvent> fetch() {
    try {
      return temporal.fetchHistory(workflowId).getEvents();
    } catch (RuntimeException notYet) {
      return List.of();
    }
  }

  /**
   * Follows the run's history with long polls (the server answers when an event is added, as a
   * worker's own waits do), until the run ends or the server goes; waits for a run not started yet.
   */
  private final class Follower extends Thread {

    private volatile List<HistoryEvent> events = List.of();
    private volatile boolean followedToTheEnd;

    Follower() {
      super("history of " + workflowId);
      setDaemon(true);
    }

    @Override
    public void run() {
      List<HistoryEvent> seen = new ArrayList<>();
      ByteString page = ByteString.EMPTY;
      while (true) {
        GetWorkflowExecutionHistoryResponse answer;
        try {
          answer = temporal.getWorkflowServiceStubs().blockingStub().withDeadlineAfter(30, TimeUnit.SECONDS)
              .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                  .setNamespace(temporal.getOptions().getNamespace())
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                  .setWaitNewEvent(true)
                  .setNextPageToken(page)
                  .build());
        } catch (StatusRuntimeException e) {
          Status.Code code = e.getStatus().getCode();
          if (code == Status.Code.DEADLINE_EXCEEDED || (code == Status.Code.NOT_FOUND && seen.isEmpty())) {
            pause();
            continue;
          }
          return;
        }
        seen.addAll(answer.getHistory().getEventsList());
        events = List.copyOf(seen);
        if (answer.getNextPageToken().isEmpty()) {
          followedToTheEnd = true; // the run ended: its last event is in
          return;
        }
        page = answer.getNextPageToken();
      }
    }

    private void pause() {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  List<Kill> kills() {
    return List.copyOf(kills);
  }

  /** The kills as a table, printed by the test for the record. */
  String table() {
    StringBuilder out = new StringBuilder(String.format("%-44s %-34s %7s %8s%n", "KILL AIMED AT", "LAST EVENT AT THE KILL", "EVENTS", "SECONDS"));
    for (Kill k : kills) {
      out.append(String.format("%-44s %-34s %7d %8.1f%n", k.aimedAt(), k.lastEvent(), k.historyLength(), k.secondsIntoRun()));
    }
    return out.toString();
  }
}
