package io.pgdr.patroni;

import io.pgdr.run.ScenarioOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Patroni failover or switchover did, in its report.
 *
 * @param mode {@code failover} or {@code switchover}
 * @param oldLeader the member holding the leader key when the run diagnosed the cluster; null when none did
 * @param candidate the member the run chose (or was given)
 * @param newLeader the member that leads and passed verification; null when the run stopped before
 * @param patroniAnswer what Patroni answered to the request ("HTTP 200: ..."); null when nothing was asked
 * @param estimatedLossBytes WAL the candidate lacked when chosen; null when unknown
 * @param oldLeaderAfter whether the old leader rejoined as a replica, or why not; null before the run looked
 */
public record PatroniFailoverOutcome(String mode, String oldLeader, String candidate, String newLeader, String patroniAnswer,
    Long estimatedLossBytes, String oldLeaderAfter) implements ScenarioOutcome {

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("patroni " + mode, (oldLeader == null ? "no leader" : oldLeader) + " -> " + candidate));
    if (newLeader != null) {
      facts.add(new Fact("new leader", newLeader));
    }
    if (patroniAnswer != null) {
      facts.add(new Fact("patroni said", patroniAnswer));
    }
    if (estimatedLossBytes != null) {
      facts.add(new Fact("estimated loss", estimatedLossBytes + " bytes"));
    }
    if (oldLeaderAfter != null) {
      facts.add(new Fact("old leader", oldLeaderAfter));
    }
    return facts;
  }
}
