package io.pgdr.cli.backup;

import io.pgdr.activities.backup.BackupTaker;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.cli.ExitCodes;
import io.pgdr.ports.BackupEntry;
import io.pgdr.target.DatabaseTarget;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Take a backup of the target's database now, from the pod its Service selects: one consistent snapshot streamed to S3 part by part, with a manifest (times, server version, sizes, SHA-256, row counts)."})
final class BackupRunCommand extends BackupTargetCommand {

  /** Backup names sort by age, as {@code aws s3 ls | sort} expects. */
  static final DateTimeFormatter BACKUP_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Override
  public Integer call() {
    DatabaseTarget target = BackupTargets.read(targetFile);
    String id = BACKUP_ID.format(Instant.now());
    BackupEntry taken = BackupTargets.takeFromServicePod(kubernetes, target, spec.commandLine().getErr(), "backup",
        server -> String.format("backing up %s on %s (%s) to %spgdr/%s/", target.postgres().database(), server.pod(), server.address(),
            target.backups().url(), id),
        (server, credentials, s3, progress) -> new BackupTaker(credentials, s3, ClientPrograms.locate())
            .take(target.backups(), server, id, progress));
    BackupTargets.printTaken(spec, output, taken, String.format("backup %s: %s, %s, taken %s .. %s", taken.key(), taken.format(),
        BackupListCommand.size(taken.sizeBytes()), taken.startTime(), taken.endTime()));
    return ExitCodes.OK;
  }
}
