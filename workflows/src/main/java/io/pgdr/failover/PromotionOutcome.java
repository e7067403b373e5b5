package io.pgdr.failover;

import io.pgdr.run.ScenarioOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What a failover did, in its report.
 *
 * @param newPrimary the pod promoted (or found already promoted) and verified as the primary;
 *     null when the run stopped before
 * @param oldPrimary the pod the Service selected before the run; null when it selected none
 * @param candidateReplayLsn where the candidate's replay stood when it was chosen
 * @param estimatedLossBytes WAL between the last position known on the old primary and the
 *     candidate's; null when unknown (reports from before it was kept here)
 * @param fenced the pods fenced so they never take writes again
 */
public record PromotionOutcome(String newPrimary, String oldPrimary, String candidateReplayLsn, Long estimatedLossBytes,
    boolean alreadyPromoted, List<String> fenced) implements ScenarioOutcome {

  /** What a report written before scenarios owned their results says: the new primary alone. */
  public static PromotionOutcome before(String newPrimary) {
    return new PromotionOutcome(newPrimary, null, null, null, false, List.of());
  }

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    if (newPrimary != null) {
      facts.add(new Fact("new primary", newPrimary + (alreadyPromoted ? " (found already out of recovery)" : "")));
    }
    if (oldPrimary != null) {
      facts.add(new Fact("old primary", oldPrimary));
    }
    if (candidateReplayLsn != null) {
      facts.add(new Fact("replayed to", candidateReplayLsn + (estimatedLossBytes == null ? "" : ", " + estimatedLossBytes + " bytes behind")));
    }
    if (fenced != null && !fenced.isEmpty()) {
      facts.add(new Fact("fenced", String.join(", ", fenced)));
    }
    return facts;
  }
}
