package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.backup.BackupTargets;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.target.DatabaseTarget;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore the database from a backup in S3 (corruption, lost data): choose the latest valid backup, ask, stop the writers, restore into a new database beside the live one, check it, swap the names (the old database is kept, renamed), verify, bring the writers back, report."})
public final class RestoreCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Option(names = "--backup", paramLabel = "KEY", description = "the backup to restore, as `pgdr backup list` shows it; default: the latest valid one")
  String backupKey;

  @Override
  public Integer call() throws Exception {
    return RecoveryStart.startAndFollow(start, RestoreFromBackupWorkflow.SCENARIO, this::readTarget, (client, run) ->
        RecoveryStart.restore(client, new RestoreRequest(run.target(), run.incidentStart(), run.requestedBy(), backupKey,
            run.preApproval(), run.planOnly())));
  }

  /** A target with backups, and a {@code --backup} that names one if given. */
  private DatabaseTarget readTarget(Path file) {
    DatabaseTarget target = BackupTargets.read(file);
    if (backupKey != null && backupKey.isBlank()) {
      throw CliException.badInput("--backup is empty", "give a key from `pgdr backup list`, or leave --backup out for the latest valid one");
    }
    return target;
  }
}
