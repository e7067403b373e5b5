package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.TargetFiles;
import io.pgdr.outage.TransientOutageRequest;
import io.pgdr.outage.TransientOutageWorkflow;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "wait-recovery", mixinStandardHelpOptions = true,
    description = {"A transient outage (runbook 000 A, runbook 004 scenario 1): look at the primary's pod and server on a durable timer"
        + " (each check on the run's timeline, with resource use where the cluster serves the metrics API), ask to restart the pod if"
        + " it stays down, verify the database when it is back; past a share of the RTO, ask to fail over and start the failover."})
public final class WaitRecoveryCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Option(names = "--check-every", paramLabel = "SECONDS", description = "look again this often (default: 30)")
  Long checkSeconds;

  @Option(names = "--escalate-at", paramLabel = "PERCENT", description = "share of the RTO after which a database still down is"
      + " escalated to a failover (default: 50)")
  Integer escalatePercent;

  @Override
  public Integer call() throws Exception {
    if (escalatePercent != null && (escalatePercent <= 0 || escalatePercent >= 100)) {
      throw CliException.badInput("--escalate-at " + escalatePercent + " is not a share of the RTO", "1 to 99, e.g. --escalate-at 50");
    }
    Duration every = RecoveryStart.seconds("--check-every", checkSeconds, 30);
    Double share = escalatePercent == null ? null : escalatePercent / 100.0;
    return RecoveryStart.startAndFollow(start, TransientOutageWorkflow.SCENARIO, TargetFiles::read, (client, run) ->
        RecoveryStart.transientOutage(client, new TransientOutageRequest(run.target(), run.incidentStart(), run.requestedBy(),
            run.preApproval(), run.planOnly(), every, share)));
  }
}
