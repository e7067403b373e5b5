package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.TargetFiles;
import io.pgdr.patroni.PatroniFailoverRequest;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.target.DatabaseTarget;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "patroni", mixinStandardHelpOptions = true,
    description = {"Fail over a Patroni-managed database through Patroni's REST API (runbook 000 scenario B): diagnose through Patroni and"
        + " SQL, choose the replica Patroni would accept, ask, POST /failover (or /switchover), follow until the candidate leads, repoint"
        + " what Patroni does not drive, restart the apps, verify, report whether the old leader rejoined.",
        "The target needs a patroni section (restUrl or endpoints)."})
final class PatroniFailoverCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Option(names = "--candidate", paramLabel = "POD", description = "the member to make leader (default: the healthy replica with the least lag)")
  String candidate;

  @Option(names = "--switchover", description = "a planned handover from a healthy leader (POST /switchover); without it the leader must be down")
  boolean switchover;

  @Override
  public Integer call() throws Exception {
    return RecoveryStart.startAndFollow(start, PatroniFailoverWorkflow.SCENARIO, PatroniFailoverCommand::readTarget, (client, run) ->
        RecoveryStart.patroniFailover(client, new PatroniFailoverRequest(run.target(), run.incidentStart(), run.requestedBy(),
            run.preApproval(), run.planOnly(), candidate, switchover ? Boolean.TRUE : null)));
  }

  private static DatabaseTarget readTarget(Path file) {
    DatabaseTarget target = TargetFiles.read(file);
    if (target.patroni() == null) {
      throw CliException.badInput(file + " has no patroni section: pgdr cannot reach Patroni's REST API",
          "add patroni.restUrl (e.g. http://{pod}.postgresql:8008) or patroni.endpoints; without Patroni use pgdr failover promote-replica");
    }
    return target;
  }
}
