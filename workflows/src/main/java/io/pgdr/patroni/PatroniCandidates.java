package io.pgdr.patroni;

import io.pgdr.failover.CandidateChoice;
import io.pgdr.failover.Candidates;
import io.pgdr.ports.PatroniMember;
import io.pgdr.ports.PatroniView;
import io.pgdr.ports.ServerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which member Patroni would make leader, and what that loses. Pure: the workflow passes what
 * Patroni and each server said. A member qualifies as Patroni's own failover does: a running
 * replica, not tagged {@code nofailover}, no further behind than {@code maximum_lag_on_failover};
 * and, as pgdr sees it, answering SQL in recovery. Among those the one with the least lag wins.
 */
public final class PatroniCandidates {

  private PatroniCandidates() {}

  /**
   * Why {@code name} cannot be made leader; empty when it can.
   *
   * @param sql what the member's server answered; null when pgdr has no server for it
   */
  public static Optional<String> whyNot(PatroniView view, String name, ServerState sql) {
    Optional<PatroniMember> found = view.member(name);
    if (found.isEmpty()) {
      return Optional.of(name + " is not a member of the Patroni cluster (members: "
          + String.join(", ", view.members().stream().map(PatroniMember::name).toList()) + ")");
    }
    PatroniMember member = found.get();
    if (member.leader()) {
      return Optional.of(name + " holds the leader key already");
    }
    if (member.noFailover()) {
      return Optional.of(name + " is tagged nofailover: Patroni never makes it leader (remove the tag first)");
    }
    if (!member.healthyReplica()) {
      return Optional.of(name + " is " + (member.state().isBlank() ? "in no known state" : member.state()) + ", not a running replica");
    }
    if (member.lagBytes() != null && view.maximumLagOnFailover() != null && member.lagBytes() > view.maximumLagOnFailover()) {
      return Optional.of(name + " is " + member.lagBytes() + " bytes behind, over Patroni's maximum_lag_on_failover of "
          + view.maximumLagOnFailover());
    }
    if (sql == null || !sql.reachable()) {
      return Optional.of(name + " does not answer SQL" + (sql == null ? "" : " (" + sql.error() + ")"));
    }
    if (!sql.inRecovery()) {
      return Optional.of(name + " is out of recovery, yet Patroni lists it as a replica: settle which server is the primary by hand");
    }
    return Optional.empty();
  }

  /**
   * The named member, or the qualifying one with the least lag, with its estimated loss; else
   * why none qualifies, one reason per replica.
   *
   * @param named the member asked for; null to choose
   * @param oldLeader the old leader's server state; null when there is none
   * @param lossAnchor when the old leader was last known to write (the incident start, or now)
   */
  public static Choice choose(PatroniView view, Map<String, ServerState> sql, String named, ServerState oldLeader, Instant lossAnchor,
      Duration rpo) {
    List<String> names = named != null ? List.of(named)
        : view.members().stream().filter(m -> !m.leader()).map(PatroniMember::name).toList();
    List<ServerState> qualified = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (String name : names) {
      Optional<String> why = whyNot(view, name, sql.get(name));
      why.ifPresentOrElse(reasons::add, () -> qualified.add(sql.get(name)));
    }
    // the least lag is the furthest replay: Candidates ranks by replay LSN and estimates the loss
    Optional<CandidateChoice> best = Candidates.choose(qualified, oldLeader, lossAnchor, rpo);
    return new Choice(best.orElse(null), best.isEmpty() && reasons.isEmpty() ? List.of("the cluster has no replica") : reasons);
  }

  /**
   * @param chosen the member to make leader; null when none qualifies
   * @param refused why each other member does not qualify
   */
  public record Choice(CandidateChoice chosen, List<String> refused) {}
}
