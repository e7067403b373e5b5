package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.backup.BackupTargets;
import io.pgdr.pitr.PitrRequest;
import io.pgdr.pitr.PointInTimeRecoveryWorkflow;
import io.pgdr.ports.PitrTarget;
import io.pgdr.target.DatabaseTarget;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pitr", mixinStandardHelpOptions = true,
    description = {"Point-in-time recovery from base backups and archived WAL (runbook 000 scenario D): check the target against the"
        + " archive, ask, stop the writers and the database, keep the old volume, stream the base backup into a new one, feed the WAL"
        + " ahead of replay until the server promotes at the target, verify, bring the writers back, report.",
        "Give exactly one target: --target-time, --target-lsn, --target-xid or --target-name. `pgdr backup window` shows what can be reached."})
public final class PitrCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Option(names = "--target-time", paramLabel = "'YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]'", description = "recover up to this time (no zone: UTC)")
  String time;

  @Option(names = "--target-lsn", paramLabel = "LSN", description = "recover up to this WAL location, e.g. 0/5000060")
  String lsn;

  @Option(names = "--target-xid", paramLabel = "XID", description = "recover up to this transaction's commit")
  String xid;

  @Option(names = "--target-name", paramLabel = "NAME", description = "recover up to this restore point (pg_create_restore_point)")
  String name;

  @Option(names = "--target-timeline", paramLabel = "N", description = "the timeline the target lies on (a time finds its own from the history files)")
  Integer timelineOption;

  @Option(names = "--exclusive", description = "stop just before the target instead of just after it (recovery_target_inclusive = off)")
  boolean exclusive;

  @Override
  public Integer call() throws Exception {
    PitrTarget recoveryTarget = new PitrTarget(time, lsn, xid, name, timelineOption, exclusive);
    return RecoveryStart.startAndFollow(start, PointInTimeRecoveryWorkflow.SCENARIO, file -> readTarget(file, recoveryTarget), (client, run) ->
        RecoveryStart.pointInTime(client, new PitrRequest(run.target(), run.incidentStart(), run.requestedBy(), recoveryTarget,
            run.preApproval(), run.planOnly())));
  }

  /** A target with backups, and a recovery target of one kind. */
  private static DatabaseTarget readTarget(Path file, PitrTarget recoveryTarget) {
    if (!recoveryTarget.problems().isEmpty()) {
      throw CliException.badInput(String.join("; ", recoveryTarget.problems()).replace("pitr target: ", ""),
          "give one of --target-time, --target-lsn, --target-xid, --target-name; `pgdr backup window --target FILE` shows the window");
    }
    return BackupTargets.read(file);
  }
}
