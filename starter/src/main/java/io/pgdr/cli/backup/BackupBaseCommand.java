package io.pgdr.cli.backup;

import io.pgdr.activities.backup.BaseBackupTaker;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.cli.ExitCodes;
import io.pgdr.ports.BaseBackupResult;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;
import picocli.CommandLine.Command;

@Command(name = "base", mixinStandardHelpOptions = true,
    description = {"Take a physical base backup of the whole cluster now, from the pod the target's Service selects:"
        + " pg_basebackup's tar (with the WAL it needs) streamed to <prefix>base/<label>/ as base.tar.gz and backup_manifest,"
        + " with pgdr-base.json (start/stop LSN and time, timeline, sizes, SHA-256). The user needs the REPLICATION attribute."})
final class BackupBaseCommand extends BackupTargetCommand {

  @Override
  public Integer call() {
    DatabaseTarget target = BackupTargets.read(targetFile);
    String label = BackupRunCommand.BACKUP_ID.format(Instant.now());
    BaseBackupResult taken = BackupTargets.takeFromServicePod(kubernetes, target, spec.commandLine().getErr(), "base backup",
        server -> String.format("base backup of %s (%s) to %sbase/%s/", server.pod(), server.address(), target.backups().url(), label),
        (server, credentials, s3, progress) -> new BaseBackupTaker(credentials, s3, ClientPrograms.locate())
            .take(target.backups(), server, label, progress));
    BackupTargets.printTaken(spec, output, taken, String.format("base backup %s: timeline %d, WAL %s .. %s, %s, taken %s .. %s, PostgreSQL %s",
        taken.key(), taken.timeline(), taken.startLsn(), taken.stopLsn(), BackupListCommand.size(taken.sizeBytes()), taken.startTime(),
        taken.stopTime(), taken.serverVersion()));
    return ExitCodes.OK;
  }
}
