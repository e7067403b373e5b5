package io.pgdr.ports;

import java.util.List;
import java.util.Map;

/**
 * A server's connections against its limit (runbook 004 §4.1–4.2): client sessions by state, the
 * ones idle in a transaction and the queries running, each past the threshold asked for.
 *
 * @param maxConnections {@code max_connections}
 * @param reservedConnections {@code superuser_reserved_connections}: the slots only superusers get
 * @param byState client sessions per state ({@code active}, {@code idle}, {@code idle in transaction}, ...)
 * @param idleInTransaction sessions idle in a transaction for longer than the threshold, longest first
 * @param longRunning active queries running for longer than the threshold, longest first
 */
public record ConnectionsReport(int maxConnections, int reservedConnections, Map<String, Integer> byState,
    List<ClientSession> idleInTransaction, List<ClientSession> longRunning) {

  public ConnectionsReport {
    byState = Map.copyOf(byState);
    idleInTransaction = List.copyOf(idleInTransaction);
    longRunning = List.copyOf(longRunning);
  }

  /** Past this share of the slots open to applications, connections are "near the limit" (runbook 004 §4.1: 80 %). */
  public static final double NEAR_LIMIT = 0.8;

  /** Whether client sessions hold {@link #NEAR_LIMIT} or more of the slots open to applications. */
  public boolean nearLimit() {
    return usage() >= NEAR_LIMIT;
  }

  /** Client sessions in all states. */
  public int clients() {
    return byState.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The share of the slots ordinary users may take that client sessions hold, 0 to 1. */
  public double usage() {
    int available = Math.max(1, maxConnections - reservedConnections);
    return (double) clients() / available;
  }
}
