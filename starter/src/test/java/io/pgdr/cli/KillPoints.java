package io.pgdr.cli;

import static org.awaitility.Awaitility.await;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

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
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(10)).until(() -> moment.call() || ended());
    if (!moment.call()) {
      throw new AssertionError("the run ended before the kill aimed at " + aimedAt + ": " + lastEvent(history()));
    }
    processes.killWorker();
    List<HistoryEvent> history = history();
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

  List<HistoryEvent> history() {
    try {
      return temporal.fetchHistory(workflowId).getEvents();
    } catch (RuntimeException notYet) {
      return List.of();
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
