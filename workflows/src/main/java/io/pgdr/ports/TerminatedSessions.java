package io.pgdr.ports;

import java.util.List;

/**
 * What ending idle-in-transaction sessions did.
 *
 * @param terminated the sessions this call ended
 * @param gone sessions already gone (ended by an earlier attempt, or by their clients)
 * @param spared sessions left alone, each with why (active again, no longer past the threshold)
 */
public record TerminatedSessions(List<ClientSession> terminated, List<ClientSession> gone, List<String> spared) {

  public TerminatedSessions {
    terminated = List.copyOf(terminated);
    gone = List.copyOf(gone);
    spared = List.copyOf(spared);
  }
}
