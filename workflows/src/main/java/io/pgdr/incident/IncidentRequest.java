package io.pgdr.incident;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.pool.PoolRecoveryRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * One JSON record starts an incident: from an alert (the worker's {@code POST /alerts}), the CLI
 * ({@code pgdr incident start}) or the UI's start page.
 *
 * @param incidentStart the RTO clock's zero; null: the earliest alert's start, else the run's start
 * @param preApproval a decision given up front (the CLI's {@code --yes}) for the scenario the
 *     incident recommends; null asks at the gate, unless a target policy approves
 * @param planOnly true: assess and recommend, then end with the plan, starting nothing
 * @param cause what was observed, in words ("checkout fails with connection refused"); may be null
 *     when alerts say it
 * @param alerts the alerts that started the incident; empty when a person started it
 * @param idleLongerThan what the assessment, and a pool recovery it starts, count as idle in a
 *     transaction for too long; null: the pool recovery's default (300 s)
 */
public record IncidentRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval,
    Boolean planOnly, String cause, List<Alert> alerts, Duration idleLongerThan) {

  public IncidentRequest {
    alerts = alerts == null ? List.of() : List.copyOf(alerts);
  }

  /** Alerts and a cause, the defaults for the rest. */
  public IncidentRequest(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval, Boolean planOnly,
      String cause, List<Alert> alerts) {
    this(target, incidentStart, requestedBy, preApproval, planOnly, cause, alerts, null);
  }

  /** The idle threshold this incident uses. */
  public Duration threshold() {
    return idleLongerThan == null ? PoolRecoveryRequest.DEFAULT_IDLE : idleLongerThan;
  }

  /**
   * When the incident began: as given, else when the earliest of its firing alerts started (a resolved
   * one in the same notification says nothing of this outage); null: the run's start.
   */
  public Instant start() {
    return incidentStart != null ? incidentStart
        : alerts.stream().filter(Alert::firing).map(Alert::startsAt).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder())
            .orElse(null);
  }
}
