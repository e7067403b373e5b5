package io.pgdr.cli.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.Operator;
import io.pgdr.cli.RunFollower;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TargetFiles;
import io.pgdr.cli.recovery.RecoveryStart;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabException;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.drill.LabLogin;
import io.pgdr.lab.drill.Markers;
import io.pgdr.lab.drill.ServiceWriteProbe;
import io.pgdr.patroni.PatroniFailoverRequest;
import io.pgdr.run.RecoveryReport;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.worker.PgdrWorker;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One round of bench/failover's Patroni figures, on the Patroni lab: markers replicated, the
 * leader crashed (its Patroni and server SIGKILLed, as a lost machine), then the leader handed over
 * one of three ways, timed from the crash to the first write committed by the same probe:
 * {@code pgdr} runs PatroniFailover pre-approved with an in-process worker, writes through the
 * Service; {@code bare} sends {@code POST /failover} with the same candidate, writes straight to
 * it; {@code auto} asks nothing and lets Patroni fail over when the leader's key expires, writes
 * straight to the replica. Hidden: a benchmark's instrument, not an operator's verb.
 */
@Command(name = "patroni-round", hidden = true, mixinStandardHelpOptions = true,
    description = "Crash the Patroni lab's leader and time its handover (pgdr, bare POST /failover or Patroni's own) to the first write.")
final class LabPatroniRoundCommand implements Callable<Integer> {

  enum Mode { pgdr, bare, auto }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Spec CommandSpec spec;
  @Mixin LabOptions labOptions;

  @Option(names = "--mode", required = true, description = "pgdr, bare or auto")
  Mode mode;

  @Option(names = "--down", description = "tear the lab down afterwards")
  boolean down;

  @Option(names = "--markers", defaultValue = "200", description = "marker rows committed before the crash (default: ${DEFAULT-VALUE})")
  int markers;

  /**
   * @param firstWriteAfterKillSeconds the crash to the first committed write; null when none came
   * @param markersFound replicated markers readable on the new leader afterwards
   */
  record RoundFigures(String mode, String killedPod, String candidate, Instant killedAt, Double firstWriteAfterKillSeconds,
                      long markersWritten, long markersFound, String outcome) {}

  @Override
  public Integer call() throws Exception {
    return labOptions.upThenDown(spec.commandLine().getErr(), down, true, (lab, status, err) -> {
      RoundFigures figures = measure(lab, status, err);
      spec.commandLine().getOut().println(Json.write(Map.of("patroniRound", figures)));
      boolean handedOver = mode != Mode.pgdr || RecoveryReport.SUCCEEDED.equals(figures.outcome());
      return !handedOver || figures.firstWriteAfterKillSeconds() == null || figures.markersFound() != figures.markersWritten()
          ? ExitCodes.RUN_FAILED : ExitCodes.OK;
    });
  }

  private RoundFigures measure(Lab lab, LabStatus status, PrintWriter err) throws Exception {
    if (status.patroni() == null) {
      throw LabException.withHint("the lab in " + lab.dir() + " is not a Patroni lab", "pgdr lab down, then run this again");
    }
    String leader = PatroniCluster.leaderAt(status.patroni()).orElseThrow(() -> new LabException("no Patroni member leads"));
    String candidate = status.patroni().keySet().stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
    LabLogin login = LabLogin.fromSecret(lab);
    Markers markerRows = new Markers(status.serviceEndpoint(), login, status.pods());
    long lastMarker = markerRows.writeReplicated(markers, candidate);
    err.printf("patroni round (%s): %d markers committed through the Service and replayed on %s%n", mode, markers, candidate);
    DatabaseTarget target = TargetFiles.read(status.targetFile());
    // where the probe writes, and the markers are counted afterwards: the Service for pgdr, the candidate itself otherwise
    String probed = mode == Mode.pgdr ? status.serviceEndpoint() : status.pods().get(candidate);
    try (TemporalConnection temporal = new TemporalConnection(status.temporalAddress(), TemporalConnection.DEFAULT_NAMESPACE);
         KubernetesClient kubernetes = lab.kubernetesClient();
         PgdrWorker worker = mode == Mode.pgdr ? PgdrWorker.start(temporal.client(), kubernetes) : null;
         ServiceWriteProbe probe = ServiceWriteProbe.at(probed, login)) {
      WorkflowClient client = temporal.client();
      if (worker != null) {
        // a plan first, as the drill's rehearsal: the worker's paths loaded before anything is timed
        String plan = RecoveryStart.patroniFailover(client, new PatroniFailoverRequest(target, null, Operator.name(), null, true, candidate,
            true));
        err.printf("patroni round (pgdr): warm-up plan %s%n", new RunFollower(new Runs(client), err, false).follow(plan).outcome());
      }
      long killNanos = System.nanoTime();
      Instant killedAt = Instant.now();
      PatroniCluster.crash(lab.dir().resolve("patroni"), leader);
      probe.start(killNanos);
      err.printf("patroni round (%s): crashed %s (Patroni and server) at %s%n", mode, leader, killedAt);
      err.flush();
      String outcome = switch (mode) {
        case pgdr -> {
          String workflowId = RecoveryStart.patroniFailover(client, new PatroniFailoverRequest(target, killedAt, Operator.name(),
              Operator.preApproval(client), null, candidate, null));
          RecoveryReport report = new RunFollower(new Runs(client), err, false).follow(workflowId);
          yield report.outcome();
        }
        case bare -> postFailover(status.patroni().get(candidate), candidate);
        case auto -> "asked nothing";
      };
      Optional<Double> firstWrite = probe.awaitFirstWrite(Duration.ofSeconds(90));
      long found = firstWrite.isPresent() ? markerRows.countAt(probed, lastMarker) : -1;
      err.printf("patroni round (%s): %s; first write %s after the crash%n", mode, outcome,
          firstWrite.map(s -> String.format("%.3fs", s)).orElse("none"));
      return new RoundFigures(mode.name(), leader, candidate, killedAt, firstWrite.orElse(null), lastMarker, found, outcome);
    }
  }

  /** The bare REST call, as an operator with curl would send it: Patroni answers once the candidate leads. */
  private static String postFailover(String restUrl, String candidate) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(restUrl + "/failover"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
          .POST(HttpRequest.BodyPublishers.ofString("{\"candidate\": \"" + candidate + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
      return "POST /failover: HTTP " + response.statusCode() + " " + response.body();
    } catch (java.io.IOException e) {
      return "POST /failover: " + e; // the probe still tells whether the candidate came to lead
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "POST /failover: interrupted";
    }
  }
}
