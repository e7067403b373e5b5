package io.pgdr.ports;

/**
 * What Patroni said to a failover or switchover request.
 *
 * @param outcome {@link #ACCEPTED}: done; {@link #ALREADY}: the candidate led already, nothing was
 *     asked; {@link #OTHER}: another member than the candidate leads now ("switched over to X instead
 *     of Y"); {@link #UNKNOWN}: Patroni could not tell (503 "switchover status unknown"): follow the
 *     cluster until it settles
 * @param status the HTTP status; 0 when nothing was asked
 * @param message Patroni's words
 */
public record PatroniAnswer(String outcome, int status, String message) {

  public static final String ACCEPTED = "accepted";
  public static final String ALREADY = "already";
  public static final String UNKNOWN = "unknown";
  public static final String OTHER = "other";
}
