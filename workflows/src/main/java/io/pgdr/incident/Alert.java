package io.pgdr.incident;

import java.time.Instant;
import java.util.List;

/**
 * One alert as Alertmanager sent it (webhook version 4), reduced to what a run shows: no label or
 * annotation beyond these reaches the run's history.
 *
 * @param name the {@code alertname} label ({@link #KNOWN}: the runbooks' alerts)
 * @param status {@code firing} or {@code resolved}
 * @param endsAt when it resolved; null while firing (Alertmanager's zero time)
 * @param fingerprint Alertmanager's identity of the alert's labels
 * @param pod the {@code pod} label, when the rule sets one
 * @param summary the {@code summary} annotation, cut to a line
 */
public record Alert(String name, String status, Instant startsAt, Instant endsAt, String fingerprint, String pod, String summary) {

  public static final String FIRING = "firing";
  public static final String RESOLVED = "resolved";
  /** The alerts runbooks 000 and 004 name; deploy/prometheus-rules.yaml defines them. */
  public static final List<String> KNOWN = List.of("PostgresDown", "PostgresHighConnections", "PostgresReplicationLag",
      "DashDatabaseConnectionFailed");

  public boolean firing() {
    return FIRING.equals(status);
  }

  /** One firing of one alert: Alertmanager repeats it with the same fingerprint and start. */
  public String key() {
    return fingerprint + "@" + startsAt;
  }

  /** As the timeline and the report show it. */
  public String line() {
    return name + " " + status + " since " + startsAt + (pod == null ? "" : " on " + pod)
        + (endsAt == null ? "" : ", ended " + endsAt) + (summary == null || summary.isBlank() ? "" : ": " + summary);
  }
}
