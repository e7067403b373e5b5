package io.pgdr.cli.lab;

import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.OutputOptions;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.drill.FreshPair;
import io.pgdr.lab.drill.HandPromotion;
import io.pgdr.lab.drill.Kill;
import io.pgdr.lab.drill.Markers;
import io.pgdr.lab.drill.ServiceWriteProbe;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The physical floor a drill is compared with (bench/failover): the same lab, the same markers,
 * the same kill and the same write probe as {@code lab drill}, but no pgdr in between: the moment
 * the primary is gone, {@code SELECT pg_promote()} on an already open standby session, and the probe
 * writing straight to the standby. Hidden: a benchmark's instrument, not an operator's verb.
 */
@Command(name = "floor", hidden = true, mixinStandardHelpOptions = true,
    description = "Kill the lab's primary and promote its standby by hand, timing kill -> first write on the standby.")
final class LabFloorCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin LabOptions labOptions;
  @Mixin OutputOptions output;

  @Option(names = "--down", description = "tear the lab down afterwards")
  boolean down;

  @Option(names = "--markers", defaultValue = "200", description = "marker rows committed before the kill, as in the drill (default: ${DEFAULT-VALUE})")
  int markers;

  /**
   * @param firstWriteAfterKillSeconds kill to the first write committed on the promoted standby
   * @param promoteReturnedAfterKillSeconds kill to the return of {@code pg_promote()} (it waits for the promotion)
   */
  record FloorFigures(String killedPod, String promotedPod, Instant killedAt, Double firstWriteAfterKillSeconds,
                      double promoteReturnedAfterKillSeconds) {}

  @Override
  public Integer call() throws Exception {
    return labOptions.upThenDown(spec.commandLine().getErr(), down, (lab, status, err) -> {
      FloorFigures figures = measure(lab, status, err);
      print(figures);
      return figures.firstWriteAfterKillSeconds() == null ? ExitCodes.RUN_FAILED : ExitCodes.OK;
    });
  }

  private FloorFigures measure(Lab lab, LabStatus status, PrintWriter err) throws Exception {
    PostgresPair pair = lab.pair();
    FreshPair fresh = FreshPair.of(lab, pair);
    PostgresNode standby = fresh.standby();
    new Markers(status.serviceEndpoint(), pair).writeReplicated(markers, standby.name());
    err.printf("floor: %d markers committed and replayed on %s%n", markers, standby.name());

    try (HandPromotion promotion = HandPromotion.prepare(standby, pair.database());
         ServiceWriteProbe probe = ServiceWriteProbe.straightTo(standby, pair)) {
      Kill kill = Kill.of(fresh.primary());
      probe.start(kill.nanos());
      promotion.promote();
      double promoteReturned = (System.nanoTime() - kill.nanos()) / 1e9;
      Optional<Double> firstWrite = probe.awaitFirstWrite(Duration.ofSeconds(10));
      err.printf("floor: killed %s (pg_ctl returned after %d ms), promoted %s by hand; first write %s after the kill%n",
          kill.pod(), kill.stopMillis(), standby.name(),
          firstWrite.map(s -> String.format("%.3fs", s)).orElse("none"));
      err.flush();
      return new FloorFigures(kill.pod(), standby.name(), kill.at(), firstWrite.orElse(null), promoteReturned);
    }
  }

  private void print(FloorFigures figures) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(java.util.Map.of("floor", figures)));
    } else {
      out.printf("floor: first write %s after the kill (pg_promote returned after %.3fs)%n",
          figures.firstWriteAfterKillSeconds() == null ? "none" : String.format("%.3fs", figures.firstWriteAfterKillSeconds()),
          figures.promoteReturnedAfterKillSeconds());
    }
    out.flush();
  }
}
