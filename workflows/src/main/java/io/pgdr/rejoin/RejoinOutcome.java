package io.pgdr.rejoin;

import io.pgdr.ports.Divergence;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.StandbyStreaming;
import io.pgdr.run.ScenarioOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What a rejoin found and did, in its report.
 *
 * @param primary the pod the others now follow
 * @param servers each server brought back, in the order they were
 */
public record RejoinOutcome(String primary, List<Rejoined> servers) implements ScenarioOutcome {

  public RejoinOutcome {
    servers = servers == null ? List.of() : List.copyOf(servers);
  }

  /**
   * One server brought back (or on its way).
   *
   * @param why why it needed bringing back (an old primary, a standby that did not stream)
   * @param divergence where its history parted from the primary's; null before it was looked at
   * @param result what was done to its data directory; null before
   * @param streaming how the primary saw it streaming; null before
   */
  public record Rejoined(String pod, String why, Divergence divergence, RejoinResult result, StandbyStreaming streaming) {

    Rejoined with(Divergence found) {
      return new Rejoined(pod, why, found, result, streaming);
    }

    Rejoined with(RejoinResult done) {
      return new Rejoined(pod, why, divergence, done, streaming);
    }

    Rejoined with(StandbyStreaming seen) {
      return new Rejoined(pod, why, divergence, result, seen);
    }
  }

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("primary", primary));
    for (Rejoined server : servers) {
      StringBuilder line = new StringBuilder(server.why());
      if (server.result() != null) {
        line.append("; ").append(switch (server.result().way()) {
          case Divergence.REWIND -> "rewound (pg_rewind)";
          case Divergence.FRESH_COPY -> "copied afresh (pg_basebackup), the old data directory kept in " + server.result().keptDirectory();
          default -> "already on the primary's history: standby settings only";
        });
      }
      if (server.streaming() != null) {
        line.append("; ").append(server.streaming().state()).append(" at ").append(server.streaming().replayLsn());
      }
      facts.add(new Fact(server.pod(), line.toString()));
      if (server.divergence() != null) {
        facts.add(new Fact(server.pod() + " discarded", server.divergence().discarded()));
      }
      if (server.result() != null && server.result().note() != null) {
        facts.add(new Fact(server.pod() + " note", server.result().note()));
      }
    }
    return facts;
  }
}
