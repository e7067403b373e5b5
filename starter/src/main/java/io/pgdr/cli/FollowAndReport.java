package io.pgdr.cli;

import io.pgdr.run.RecoveryReport;
import picocli.CommandLine.Model.CommandSpec;

/** Follows a run to its end, prints its report on stdout, and turns its outcome into the exit code. */
public final class FollowAndReport {

  private FollowAndReport() {}

  public static int run(Runs runs, String workflowId, CommandSpec spec, OutputOptions output, boolean askAtTerminal) throws InterruptedException {
    RecoveryReport report = new RunFollower(runs, spec.commandLine().getErr(), askAtTerminal).follow(workflowId);
    print(report, spec, output);
    return Runs.exitCodeOf(report);
  }

  public static void print(RecoveryReport report, CommandSpec spec, OutputOptions output) {
    if (output.json()) {
      spec.commandLine().getOut().println(Json.write(report));
      spec.commandLine().getOut().flush();
    } else {
      ReportView.printReport(spec.commandLine().getOut(), report);
    }
  }
}
