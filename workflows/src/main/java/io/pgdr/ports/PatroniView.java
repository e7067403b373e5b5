package io.pgdr.ports;

import java.util.List;
import java.util.Optional;

/**
 * The cluster as Patroni describes it ({@code GET /cluster}), from the first member that answered.
 *
 * @param answeredBy the pod whose REST API answered; null when none did
 * @param paused maintenance mode: Patroni neither fails over nor switches over
 * @param maximumLagOnFailover Patroni's {@code maximum_lag_on_failover} in bytes (its
 *     {@code GET /config}): a replica further behind is never made leader; null when not known
 * @param leaderServes the leader's own REST API says its server runs as the primary ({@code GET
 *     /primary} answers 200); {@code /cluster} alone shows a crashed leader as running until its key expires
 * @param error why no member answered; null when one did
 * @param lastSwitch the cluster's last timeline switch from {@code GET /history} ("timeline 1 -> 2 at
 *     0/3000060, ..."); null when there was none or it could not be read
 */
public record PatroniView(String answeredBy, boolean paused, List<PatroniMember> members, Long maximumLagOnFailover,
    boolean leaderServes, String error, String lastSwitch) {

  public PatroniView {
    members = members == null ? List.of() : List.copyOf(members);
  }

  /** The member holding the leader key with its server running. */
  public Optional<PatroniMember> leader() {
    return members.stream().filter(m -> m.leader() && "running".equals(m.state())).findFirst();
  }

  public Optional<PatroniMember> member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** Whether {@code name} leads with its server running. */
  public boolean leads(String name) {
    return leader().map(m -> m.name().equals(name)).orElse(false);
  }

  /** {@code name} runs as a replica on the leader's timeline: it follows the leader there is now. */
  public boolean follows(String name) {
    return leader().flatMap(l -> member(name).filter(m -> m.healthyReplica() && m.timeline() == l.timeline())).isPresent();
  }

  /** Who leads, as a run's timeline says it. */
  public String describeLeader() {
    return leader().map(m -> m.name() + " leads (timeline " + m.timeline() + ")").orElse("no member leads");
  }
}
