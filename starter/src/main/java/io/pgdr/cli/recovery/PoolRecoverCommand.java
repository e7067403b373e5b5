package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.TargetFiles;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import io.pgdr.pool.PoolRecoveryRequest;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "recover", mixinStandardHelpOptions = true,
    description = {"Connection pool recovery (runbook 004 scenario 4): the primary's connections by state against max_connections, the"
        + " sessions idle in a transaction past the threshold and the long-running queries shown in the approval; then those idle"
        + " sessions ended (never an active one, never pgdr's), the pool size optionally raised in the applications' ConfigMap"
        + " (--raise-pool-to, Deployments restarted), the primary verified, the connections counted again."})
final class PoolRecoverCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Option(names = "--idle-longer-than", paramLabel = "SECONDS", description = "end sessions idle in a transaction for longer (default: 300)")
  Long idleSeconds;

  @Option(names = "--raise-pool-to", paramLabel = "SIZE", description = "also set the applications' pool size (the target's poolSize"
      + " ConfigMap key) to SIZE and restart the target's Deployments; the value before is recorded on the ConfigMap")
  Integer raisePoolTo;

  @Override
  public Integer call() throws Exception {
    if (raisePoolTo != null && raisePoolTo <= 0) {
      throw CliException.badInput("--raise-pool-to " + raisePoolTo + " is not a pool size", "e.g. --raise-pool-to 20");
    }
    Duration threshold = RecoveryStart.seconds("--idle-longer-than", idleSeconds, 300);
    return RecoveryStart.startAndFollow(start, ConnectionPoolRecoveryWorkflow.SCENARIO, TargetFiles::read, (client, run) ->
        RecoveryStart.poolRecovery(client, new PoolRecoveryRequest(run.target(), run.incidentStart(), run.requestedBy(),
            run.preApproval(), run.planOnly(), threshold, raisePoolTo)));
  }
}
