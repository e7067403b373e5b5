package io.pgdr.cli;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.TransferProgress;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.RecoveryRun;
import io.pgdr.run.StepDecision;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.CanceledFailure;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The CLI's view of one recovery run in Temporal: its state, its status query, its signals, its report. */
public final class Runs {

  private final WorkflowClient client;

  public Runs(WorkflowClient client) {
    this.client = client;
  }

  /**
   * A run is named by its workflow ID ({@code recovery-<namespace>.<statefulSet>}, {@code incident-...}), by
   * {@code <namespace>/<statefulSet>}, or by the database name its target gives (its newest run).
   */
  public String workflowId(String run) {
    if (DatabaseTarget.runPrefix(run) != null) {
      return run;
    }
    int slash = run.indexOf('/');
    if (slash > 0) {
      return DatabaseTarget.recoveryWorkflowId(run.substring(0, slash), run.substring(slash + 1));
    }
    return new RunListing(client).list(new RunListing.Filter(run, null, false)).stream().findFirst()
        .map(RunListing.RunRow::workflowId)
        .orElseThrow(() -> CliException.badInput("no run of a database named " + run + " in this namespace",
            "name a run by its workflow ID (pgdr list) or as <namespace>/<statefulSet>"));
  }

  /** The run's stub; {@code workflowId} as {@link #workflowId(String)} returns it. */
  WorkflowStub stub(String workflowId) {
    return client.newUntypedWorkflowStub(workflowId);
  }

  /** @throws CliException when Temporal knows no such run */
  public WorkflowExecutionStatus state(String run) {
    return describe(run).state();
  }

  private static CliException noSuchRun(String run) {
    return CliException.badInput("no run " + run + " in this namespace",
        "runs are named recovery-<namespace>.<statefulSet> or incident-<namespace>.<statefulSet> (pgdr list); check --temporal-address and --namespace");
  }

  /**
   * What one describe of a run tells a follower.
   *
   * @param historyLength events in the run's history: its status is a function of its history, so it
   *     cannot have changed while this stays the same
   * @param progress the heartbeat progress of the run's long activity (a restore), if one is running
   *     and has reported: Temporal keeps the last heartbeat's details on the pending activity
   */
  record Described(WorkflowExecutionStatus state, long historyLength, Optional<TransferProgress> progress) {}

  /** One describe: no workflow task, no worker involved (a status query replays the run on a worker). */
  Described describe(String run) {
    try {
      var raw = stub(run).describe().getRawDescription();
      return new Described(raw.getWorkflowExecutionInfo().getStatus(), raw.getWorkflowExecutionInfo().getHistoryLength(),
          progressOf(raw.getPendingActivitiesList()));
    } catch (WorkflowNotFoundException e) {
      throw noSuchRun(run);
    }
  }

  private Optional<TransferProgress> progressOf(List<PendingActivityInfo> pending) {
    for (var activity : pending) {
      if (activity.hasHeartbeatDetails()) {
        try {
          return Optional.ofNullable(client.getOptions().getDataConverter().fromPayloads(0,
              Optional.of(activity.getHeartbeatDetails()), TransferProgress.class, TransferProgress.class));
        } catch (RuntimeException e) {
          // progress is a nicety: details this CLI cannot read are left out
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The worker inside the run's current workflow task, when one is: a step run within the task (the
   * diagnosis, fence, promote, repoint) keeps the task open, and the run answers status queries only
   * between tasks. Read from the history (the last event is a started task), which every Temporal
   * service keeps, so a busy worker is told from an absent one.
   *
   * @return the started task's event: its identity names the worker, its time says since when
   */
  public Optional<HistoryEvent> taskInProgress(String workflowId) {
    List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
    HistoryEvent last = events.isEmpty() ? null : events.get(events.size() - 1);
    return last != null && last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED ? Optional.of(last) : Optional.empty();
  }

  public static boolean isOpen(WorkflowExecutionStatus state) {
    return state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  /**
   * The run's status, or empty when no worker answers the query within a few seconds (a worker
   * restarting). The SDK itself would keep retrying a query for a minute.
   */
  public Optional<RunStatus> status(String run) {
    CompletableFuture<RunStatus> answer = CompletableFuture.supplyAsync(() -> stub(run).query("status", RunStatus.class), QUERIES);
    try {
      return Optional.ofNullable(answer.get(QUERY_PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WorkflowNotFoundException) {
        throw CliException.badInput("no run " + run, "check the run name");
      }
      return Optional.empty();
    } catch (TimeoutException e) {
      answer.cancel(true);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static final Duration QUERY_PATIENCE = Duration.ofSeconds(3);
  /** Longer than a query's: an update is answered by a workflow task, after the one in progress. */
  private static final Duration UPDATE_PATIENCE = Duration.ofSeconds(10);
  private static final ExecutorService QUERIES = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "pgdr-status-query");
    thread.setDaemon(true); // an unanswered query must not keep the CLI alive
    return thread;
  });

  /** Sends a decision by signal, checked by the run when it reads it. */
  public void decide(String run, ApprovalDecision decision, boolean approve) {
    decide(run, null, decision, approve);
  }

  /**
   * Sends a decision on the pending {@code step}. When a worker answers, by the update
   * {@code decide}: the run checks it at once, and a refusal is an error here. Otherwise (no worker
   * now, or {@code step} unknown because none answered the status query) by signal: Temporal keeps
   * it in the run's history even with no worker up, and the run checks it when a worker is back.
   * Should an update go unanswered after all, the signal follows it; the run takes the first valid
   * decision and shows a second one as a warning. A decision that names no sender is sent as
   * from this client (see {@link Operator#sentBy}).
   *
   * @return whether the run took the decision, or it was only signalled for a worker to check later
   * @throws CliException the run refused the decision, with its reason
   */
  public Delivery decide(String run, String step, ApprovalDecision decision, boolean approve) {
    ApprovalDecision sent = decision.sentBy() != null ? decision
        : new ApprovalDecision(decision.by(), decision.reason(), decision.overrideRpo(), Operator.sentBy(client));
    if (step != null) {
      StepDecision update = new StepDecision(step, approve, sent.by(), sent.reason(), sent.overrideRpo(), sent.sentBy());
      CompletableFuture<ApprovalRecord> answer = CompletableFuture.supplyAsync(
          () -> stub(run).update(RecoveryRun.DECIDE, ApprovalRecord.class, update), QUERIES);
      try {
        return new Delivery(answer.get(UPDATE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS), sent.sentBy());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof WorkflowUpdateException refused) {
          throw CliException.badInput(run + " refused the decision: " + reasonOf(refused), "pgdr status " + run);
        }
      } catch (TimeoutException e) {
        answer.cancel(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stub(run).signal(approve ? "approve" : "reject", sent);
    return new Delivery(null, sent.sentBy());
  }

  /**
   * What became of a decision sent.
   *
   * @param recorded the decision as the run took it; null when it was only signalled, not yet applied
   * @param sentBy the sender the decision named
   */
  public record Delivery(ApprovalRecord recorded, String sentBy) {

    public boolean applied() {
      return recorded != null;
    }
  }

  private static String reasonOf(WorkflowUpdateException refused) {
    return refused.getCause() instanceof ApplicationFailure failure ? failure.getOriginalMessage()
        : refused.getCause() == null ? refused.getMessage() : refused.getCause().getMessage();
  }

  /** Waits for the run to end and returns its report, also for a failed run (carried in the failure). */
  public RecoveryReport report(String run) {
    try {
      return stub(run).getResult(RecoveryReport.class);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure failure && FailureTypes.RECOVERY_FAILED.equals(failure.getType())) {
        return failure.getDetails().get(RecoveryReport.class);
      }
      if (e.getCause() instanceof CanceledFailure) {
        // cancelled from Temporal: the run keeps its report, which a worker answers from its history
        Optional<RecoveryReport> report = status(run).map(RunStatus::report);
        if (report.isPresent()) {
          return report.get();
        }
      }
      throw new CliException(ExitCodes.RUN_FAILED, "run " + run + " ended without a report: "
          + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), "see the run's history in the Temporal UI");
    }
  }

  /** A run that failed on its input (bucket, prefix, backup named, target) changed nothing: bad input, as the README says. */
  public static int exitCodeOf(RecoveryReport report) {
    if (report.failedOnInput()) {
      return ExitCodes.BAD_INPUT;
    }
    return switch (report.outcome()) {
      case RecoveryReport.SUCCEEDED, RecoveryReport.PLANNED -> ExitCodes.OK;
      case RecoveryReport.ABORTED -> ExitCodes.RUN_ABORTED;
      default -> ExitCodes.RUN_FAILED;
    };
  }
}
