package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.TargetFiles;
import io.pgdr.incident.IncidentRequest;
import io.pgdr.incident.IncidentWorkflow;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "start", mixinStandardHelpOptions = true,
    description = {"An incident (runbooks 000 §2 and 004, assessment): pods, events, logs, claims, connectivity through the Service and"
        + " per pod, Patroni, replication and lag, connections against max_connections, idle transactions and long queries; then one"
        + " scenario recommended with its reasons and started as a child run: a wait at once, a promotion, a Patroni failover or a"
        + " pool recovery after an approval that shows the assessment (or a target policy). A restore or point-in-time recovery is"
        + " recommended, never started. Runs as incident-<namespace>.<statefulSet>; alerts POSTed to the worker join it."})
final class IncidentStartCommand implements Callable<Integer> {

  /** Longest cause kept: it is a sentence, not a log. */
  static final int CAUSE_LIMIT = 500;

  @Mixin RecoveryStartOptions start;

  @Option(names = "--cause", required = true, paramLabel = "TEXT",
      description = "what was observed, in words (\"checkout fails with connection refused\"); words such as deleted, dropped or"
          + " corrupt report bad data")
  String cause;

  @Option(names = "--idle-longer-than", paramLabel = "SECONDS", description = "what counts as idle in a transaction for too long, in"
      + " the assessment and in a pool recovery it starts (default: 300)")
  Long idleSeconds;

  @Override
  public Integer call() throws Exception {
    if (cause.isBlank() || cause.length() > CAUSE_LIMIT) {
      throw CliException.badInput("--cause must say in up to " + CAUSE_LIMIT + " characters what was observed",
          "e.g. --cause \"checkout fails with connection refused\"");
    }
    Duration threshold = RecoveryStart.seconds("--idle-longer-than", idleSeconds, 300);
    return RecoveryStart.startAndFollow(start, IncidentWorkflow.SCENARIO, TargetFiles::read, (client, run) ->
        RecoveryStart.incident(client, new IncidentRequest(run.target(), run.incidentStart(), run.requestedBy(), run.preApproval(),
            run.planOnly(), cause.strip(), List.of(), threshold)));
  }
}
