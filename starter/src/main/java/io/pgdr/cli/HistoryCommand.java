package io.pgdr.cli;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.report.HistoryRow;
import io.pgdr.activities.report.ReportKeys;
import io.pgdr.activities.report.ReportStore;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.cli.backup.BackupTargets;
import io.pgdr.target.DatabaseTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"The runbook's incident history of a database (runbook 000, Historico de Incidentes): date, scenario, cause,"
        + " resolution, real RPO, real RTO, approver and outcome of each run, newest first, from the reports the runs kept in the"
        + " target's store (s3://<bucket>/" + ReportKeys.ROOT + "<namespace>.<statefulSet>/, beside index.html, the same history as a"
        + " page with a chart of RTO and RPO against the objectives)."})
public final class HistoryCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--target", required = true, paramLabel = "FILE", description = "target file (YAML) of the database, with its backups (the store)")
  Path targetFile;

  @Override
  public Integer call() {
    DatabaseTarget target = BackupTargets.read(targetFile);
    List<HistoryRow> rows;
    try (S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      rows = new ReportStore(s3.forLocation(target.backups()), target.backups(), target.namespace() + "." + target.statefulSet())
          .read().stream().map(HistoryRow::of).toList();
    } catch (SdkException e) {
      throw CliException.unavailable("the store " + StoreFailures.store(target.backups()) + " did not answer: " + e.getMessage(),
          "check backups.endpoint and the credentials in this shell");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(rows));
    } else {
      out.printf("%-20s %-20s %-24s %9s %9s %-14s %-10s %s%n", "DATE", "SCENARIO", "CAUSE", "REAL RPO", "REAL RTO", "APPROVER", "OUTCOME",
          "RESOLUTION");
      for (HistoryRow row : rows) {
        out.printf("%-20s %-20s %-24s %9s %9s %-14s %-10s %s%n", row.date() == null ? "-" : row.date().toString().substring(0, 19),
            row.scenario(), cut(row.cause(), 24), HistoryRow.seconds(row.rpoSeconds()), HistoryRow.seconds(row.rtoSeconds()), cut(row.approver(), 14),
            row.outcome(), row.resolution());
      }
      if (rows.isEmpty()) {
        out.println("no reports kept for " + target.name() + " yet");
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static String cut(String text, int width) {
    return text == null ? "-" : text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }
}
