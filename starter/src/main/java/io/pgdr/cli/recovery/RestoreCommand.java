package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.FollowAndReport;
import io.pgdr.cli.IncidentStart;
import io.pgdr.cli.Operator;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.cli.backup.BackupTargets;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore the database from a backup in S3 (corruption, lost data): choose the latest valid backup, ask, stop the writers, restore into a new database beside the live one, check it, swap the names (the old database is kept, renamed), verify, bring the writers back, report."})
public final class RestoreCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--target", required = true, description = "target file (YAML) describing the database and its backups")
  Path targetFile;

  @Option(names = "--backup", paramLabel = "KEY", description = "the backup to restore, as `pgdr backup list` shows it; default: the latest valid one")
  String backupKey;

  @Option(names = "--incident-start", description = "when the data went bad, ISO-8601; RPO is counted to it; default: now")
  String incidentStart;

  @Option(names = "--yes", description = "approve up front (recorded as an approval by you, reason --yes)")
  boolean yes;

  @Option(names = "--follow", description = "follow the run until it ends, with restore progress, and print its report")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    DatabaseTarget target = BackupTargets.read(targetFile);
    if (backupKey != null && backupKey.isBlank()) {
      throw CliException.badInput("--backup is empty", "give a key from `pgdr backup list`, or leave --backup out for the latest valid one");
    }
    Instant incident = IncidentStart.parse(incidentStart);
    WorkflowClient client = temporal.connection().client();
    RestoreFromBackupWorkflow run = client.newWorkflowStub(RestoreFromBackupWorkflow.class,
        RecoveryOptions.forTarget(target, RestoreFromBackupWorkflow.SCENARIO, incident));
    ApprovalDecision preApproval = yes ? Operator.preApproval(client) : null;
    String workflowId = RecoveryStart.start(target, () -> WorkflowClient.start(run::restore,
        new RestoreRequest(target, incident, Operator.name(), backupKey, preApproval)));
    var err = spec.commandLine().getErr();
    err.printf("started %s (%s of %s)%n", workflowId, RestoreFromBackupWorkflow.SCENARIO, target.name());
    if (!follow) {
      err.printf("follow it: pgdr status %s --follow%n", workflowId);
      spec.commandLine().getOut().println(workflowId);
      return ExitCodes.OK;
    }
    return FollowAndReport.run(new Runs(client), workflowId, spec, output, true);
  }
}
