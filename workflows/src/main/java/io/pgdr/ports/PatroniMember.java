package io.pgdr.ports;

/**
 * One member as Patroni's {@code GET /cluster} lists it.
 *
 * @param role {@code leader}, {@code replica}, {@code sync_standby}, {@code standby_leader}
 * @param state {@code running}, {@code streaming}, {@code stopped}, {@code starting}, ...
 * @param lagBytes replication lag behind the leader in bytes; null for the leader or when Patroni does not know it
 * @param noFailover the {@code nofailover} tag: Patroni never makes it leader
 */
public record PatroniMember(String name, String role, String state, String host, int port, int timeline, Long lagBytes,
    boolean noFailover, boolean noLoadBalance, boolean pendingRestart) {

  public boolean leader() {
    return "leader".equals(role) || "standby_leader".equals(role);
  }

  /** Up and following (Patroni 3.0 says running for a replica, later versions streaming). */
  public boolean healthyReplica() {
    return !leader() && ("running".equals(state) || "streaming".equals(state));
  }
}
