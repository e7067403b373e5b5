package io.pgdr.cli.recovery;

import io.pgdr.cli.TargetFiles;
import io.pgdr.rejoin.RejoinRequest;
import io.pgdr.rejoin.RejoinWorkflow;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rejoin", mixinStandardHelpOptions = true,
    description = {"Bring the servers a failover or a point-in-time recovery left behind (an old primary, a standby on the old timeline)"
        + " back as streaming standbys of the primary (runbook 000 §5): diagnose, ask, hold each pod stopped, rewind it (pg_rewind,"
        + " else a fresh pg_basebackup keeping the old data directory), start it, check pg_stat_replication, lift its fence, report"
        + " what it wrote after the fork (discarded)."})
public final class RejoinCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Option(names = "--replicas", paramLabel = "N", description = "scale the StatefulSet back to N first, its pods held, when a recovery"
      + " left it short (a point-in-time recovery runs one pod); default: as it is")
  Integer replicas;

  @Override
  public Integer call() throws Exception {
    return RecoveryStart.startAndFollow(start, RejoinWorkflow.SCENARIO, TargetFiles::read, (client, run) ->
        RecoveryStart.rejoin(client, new RejoinRequest(run.target(), run.incidentStart(), run.requestedBy(), run.preApproval(),
            run.planOnly(), replicas)));
  }
}
