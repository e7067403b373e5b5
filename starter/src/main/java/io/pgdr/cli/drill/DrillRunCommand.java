package io.pgdr.cli.drill;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.FollowAndReport;
import io.pgdr.cli.Json;
import io.pgdr.cli.Operator;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.drill.DrillFleetRequest;
import io.pgdr.drill.DrillFleetSummary;
import io.pgdr.drill.DrillFleetWorkflow;
import io.pgdr.drill.DrillModes;
import io.pgdr.drill.FailoverDrillRequest;
import io.pgdr.drill.FailoverDrillWorkflow;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a drill now: restore-rehearsal restores the latest valid backup into a scratch database beside the live one,"
        + " checks it against the backup's manifest and the target's integrity tables, drops it (also when it fails or is"
        + " cancelled) and passes when the copy was verified within the RTO and the backup is within the RPO. Refused while a"
        + " recovery of the database runs; a recovery started meanwhile cancels it. With --targets, every database of a"
        + " directory, at most --max-concurrent at a time, with one summary."})
public final class DrillRunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin DrillTargets targets;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--mode", paramLabel = "MODE", description = "the drill: ${COMPLETION-CANDIDATES} (default)",
      completionCandidates = Modes.class, defaultValue = DrillModes.RESTORE_REHEARSAL)
  String mode;

  @Option(names = "--max-concurrent", paramLabel = "N", description = "with --targets: at most N drills at a time (default "
      + DrillFleetRequest.DEFAULT_CONCURRENCY + ")")
  Integer maxConcurrent;

  @Option(names = "--follow", description = "follow the drill (or every drill of --targets) to its end and print the report (the summary)")
  boolean follow;

  @Option(names = "--yes", description = "approve a switchover drill as you start it (it moves the primary, so it asks); a rehearsal asks nothing")
  boolean yes;

  /** The modes, for help and completion. */
  static final class Modes extends java.util.ArrayList<String> {
    Modes() {
      super(DrillModes.ALL);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!DrillModes.ALL.contains(mode)) {
      throw CliException.badInput("--mode " + mode + " is not a drill", "the drills are: " + String.join(", ", DrillModes.ALL));
    }
    requireConcurrency(maxConcurrent, targets);
    if (yes && targets.fleet()) {
      throw CliException.badInput("--yes goes with --target", "each switchover of a fleet asks for its own approval");
    }
    List<DatabaseTarget> databases = targets.read();
    WorkflowClient client = temporal.connection().client();
    PrintWriter err = spec.commandLine().getErr();
    if (!targets.fleet()) {
      String workflowId = startDrill(client, databases.get(0));
      err.printf("started %s (%s %s of %s)%n", workflowId, FailoverDrillWorkflow.SCENARIO, mode, databases.get(0).name());
      if (!follow) {
        err.printf("follow it: pgdr status %s --follow%n", workflowId);
        spec.commandLine().getOut().println(workflowId);
        return ExitCodes.OK;
      }
      // a switchover's approval can be answered at the terminal; a rehearsal asks nothing
      return FollowAndReport.run(new Runs(client), workflowId, spec, output, DrillModes.SWITCHOVER.equals(mode));
    }
    String workflowId = DrillFleetWorkflow.ID_PREFIX + targets.name();
    DrillFleetRequest request = new DrillFleetRequest(databases, mode, maxConcurrent, Operator.name());
    DrillFleetWorkflow fleet = client.newWorkflowStub(DrillFleetWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId).setTaskQueue(TaskQueues.PGDR)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setStaticSummary("drills of " + databases.size() + " databases in " + targets.name()).build());
    try {
      WorkflowClient.start(fleet::drillAll, request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException(ExitCodes.ALREADY_RUNNING, "drills of " + targets.name() + " are already running as " + workflowId,
          "wait for them: pgdr drill run ... --follow ends with their summary; or temporal workflow show -w " + workflowId);
    }
    err.printf("started %s: %d drills, at most %d at a time%n", workflowId, databases.size(), request.concurrency());
    if (!follow) {
      spec.commandLine().getOut().println(workflowId);
      return ExitCodes.OK;
    }
    DrillFleetSummary summary = client.newUntypedWorkflowStub(workflowId).getResult(DrillFleetSummary.class);
    print(summary);
    return summary.allPassed() ? ExitCodes.OK : ExitCodes.RUN_FAILED;
  }

  /** --max-concurrent is for --targets, and at least 1. */
  static void requireConcurrency(Integer maxConcurrent, DrillTargets targets) {
    if (maxConcurrent != null && (maxConcurrent < 1 || !targets.fleet())) {
      throw CliException.badInput("--max-concurrent " + maxConcurrent + (maxConcurrent < 1 ? " is less than 1" : " goes with --targets"),
          "give --targets DIR and a count of 1 or more");
    }
  }

  private String startDrill(WorkflowClient client, DatabaseTarget target) {
    FailoverDrillWorkflow drill = client.newWorkflowStub(FailoverDrillWorkflow.class, RecoveryOptions.forDrill(target));
    try {
      return WorkflowClient.start(drill::drill, new FailoverDrillRequest(target, null, Operator.name(),
          yes ? Operator.preApproval(client) : null, null, mode)).getWorkflowId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException(ExitCodes.ALREADY_RUNNING, "a drill of " + target.namespace() + "/" + target.statefulSet()
          + " is already running: " + target.drillWorkflowId(), "follow it with: pgdr status " + target.drillWorkflowId() + " --follow");
    }
  }

  private void print(DrillFleetSummary summary) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(summary));
    } else {
      DrillSummaryTable.print(out, summary);
    }
    out.flush();
  }
}
