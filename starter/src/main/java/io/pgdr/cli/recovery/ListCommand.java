package io.pgdr.cli.recovery;

import io.pgdr.cli.Colours;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.RunListing;
import io.pgdr.cli.RunListing.RunRow;
import io.pgdr.cli.TemporalOptions;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List recovery runs, newest first: scenario, database, status, phase, start and end.")
public final class ListCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--database", paramLabel = "NAME", description = "only runs of this database (the target's name)")
  String database;

  @Option(names = "--scenario", paramLabel = "SCENARIO", description = "only runs of this scenario: ReplicaPromotion, RestoreFromBackup")
  String scenario;

  @Option(names = "--phase", paramLabel = "PHASE", description = "only runs in this phase: diagnosing, awaiting-approval, recovering,"
      + " rebuilding, swapping, verifying, succeeded, failed, aborted")
  String phase;

  @Option(names = "--running", description = "only runs still open")
  boolean running;

  @Option(names = "--awaiting-approval", description = "only open runs that wait for a human now")
  boolean awaitingApproval;

  @Option(names = "--rto-breached", description = "only runs whose RTO objective passed before they recovered the database")
  boolean rtoBreached;

  @Override
  public Integer call() {
    RunListing.Filter filter = new RunListing.Filter(database, scenario, phase, running, awaitingApproval, rtoBreached);
    List<RunRow> rows = new RunListing(temporal.connection().client()).list(filter);
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(rows));
    } else if (rows.isEmpty()) {
      out.println("no recovery runs" + (filter.any() ? "" : " match"));
    } else {
      print(out, rows);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void print(PrintWriter out, List<RunRow> rows) {
    Colours colours = Colours.of(out);
    out.printf("%-36s %-18s %-20s %-10s %-18s %-24s %s%n", "RUN", "SCENARIO", "DATABASE", "STATUS", "PHASE", "STARTED", "ENDED");
    for (RunRow row : rows) {
      String phase = row.phase() == null ? "-" : row.phase();
      // padded before it is painted, so the columns stay aligned
      out.printf("%-36s %-18s %-20s %-10s %s %-24s %s%s%n", row.workflowId(), row.scenario(), row.database(), row.status(),
          colours.outcome(phase, String.format("%-18s", phase)), time(row.started()), time(row.closed()),
          Boolean.TRUE.equals(row.rtoBreached()) ? "  " + colours.alarm("RTO BREACHED") : "");
    }
  }

  private static String time(Instant at) {
    return at == null ? "-" : at.toString();
  }
}
