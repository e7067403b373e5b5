package io.pgdr.ports;

import java.util.List;
import java.util.Optional;

/**
 * The cluster as Patroni describes it ({@code GET /cluster}), from the first member that answered.
 *
 * @param answeredBy the pod whose REST API answered; null when none did
 * @param paused maintenance mode: Patroni neither fails over nor switches over
 * @param error why no member answered; null when one did
 */
public record PatroniView(String answeredBy, boolean paused, List<PatroniMember> members, String error) {

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
}
