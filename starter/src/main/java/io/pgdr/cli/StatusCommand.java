package io.pgdr.cli;

import io.pgdr.run.RunStatus;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a run: phase, current step, pending approval, timeline.")
final class StatusCommand implements Callable<Integer> {

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
      throw CliException.unavailable(workflowId + " is running but no worker answers its status query",
          "start a worker: pgdr worker");
    }
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(status.get()));
    } else {
      ReportView.printStatus(spec.commandLine().getOut(), workflowId, status.get());
    }
    return ExitCodes.OK;
  }
}
