package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.FollowAndReport;
import io.pgdr.cli.Json;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.ReportView;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.run.RunStatus;
import io.temporal.api.history.v1.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a run: phase, current step, pending approval, timeline.")
public final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "the run: its workflow ID (recovery-<namespace>.<statefulSet>), <namespace>/<statefulSet>, or the database name")
  String run;

  @Option(names = "--follow", description = "follow the run until it ends, then print its report")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    Runs runs = new Runs(temporal.connection().client());
    String workflowId = runs.workflowId(run);
    if (follow || !Runs.isOpen(runs.state(workflowId))) {
      return FollowAndReport.run(runs, workflowId, spec, output, true);
    }
    Optional<RunStatus> status = runs.status(workflowId);
    if (status.isEmpty()) {
      return printBusyWorker(runs, workflowId);
    }
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(status.get()));
    } else {
      ReportView.printStatus(spec.commandLine().getOut(), workflowId, status.get());
    }
    return ExitCodes.OK;
  }

  /** No answer to the query: a worker inside a step (say who and since when), or no worker at all. */
  private int printBusyWorker(Runs runs, String workflowId) {
    HistoryEvent task = runs.taskInProgress(workflowId).orElseThrow(() -> CliException.unavailable(
        workflowId + " is running but no worker answers its status query", "start a worker: pgdr worker"));
    String worker = task.getWorkflowTaskStartedEventAttributes().getIdentity();
    Instant since = Instant.ofEpochSecond(task.getEventTime().getSeconds(), task.getEventTime().getNanos());
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(new BusyWorker(workflowId, worker, since)));
    } else {
      // the same history is left by a worker busy in a long step and by one that died in it: say both
      spec.commandLine().getOut().printf("%s: worker %s took the current step at %s (%d s ago) and has not finished it;"
          + " the run answers status queries between steps. Were that worker gone, another takes the step over once its"
          + " workflow task times out. Ask again, or: pgdr status %s --follow%n", workflowId, worker, since,
          Duration.between(since, Instant.now()).toSeconds(), workflowId);
    }
    return ExitCodes.OK;
  }

  /** What status says of a run whose worker is inside a step. */
  record BusyWorker(String workflowId, String workerInsideStep, Instant since) {}
}
