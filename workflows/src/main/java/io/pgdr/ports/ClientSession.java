package io.pgdr.ports;

import java.time.Instant;

/**
 * One client session as {@code pg_stat_activity} shows it, for the approver and the report
 * (runbook 004 §4.2).
 *
 * @param backendStart when the session began: with the pid, it names the session (a pid is reused
 *     by a later session)
 * @param stateSeconds how long it has been in its state (idle in transaction, active)
 * @param query its last statement, shortened to 200 characters
 */
public record ClientSession(int pid, Instant backendStart, String user, String application, String clientAddress, String state,
    double stateSeconds, String query) {

  /** The same session, not a later one that took its pid. */
  public boolean sameAs(ClientSession other) {
    return pid == other.pid && backendStart.equals(other.backendStart);
  }
}
