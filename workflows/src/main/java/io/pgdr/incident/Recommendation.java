package io.pgdr.incident;

import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.outage.TransientOutageWorkflow;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import java.util.ArrayList;
import java.util.List;

/**
 * The one scenario an incident recommends, with its reasons, and whether pgdr starts it. Pure:
 * the rules of runbooks 000 and 004, in the order they are tried.
 *
 * @param scenario the scenario to run; null when no scenario fits (nothing to recover, or a
 *     problem pgdr does not fix)
 * @param startable pgdr starts it (after an approval when it changes the cluster); false for a
 *     restore or point-in-time recovery, which only a person chooses
 */
public record Recommendation(String scenario, List<String> reasons, boolean startable) {

  /** What the incident recommends, and never starts, when the data itself is reported bad. */
  public static final String RESTORE_OR_PITR = "RestoreFromBackup or PointInTimeRecovery";

  public Recommendation {
    reasons = List.copyOf(reasons);
  }

  public static Recommendation of(Assessment a) {
    List<String> reasons = new ArrayList<>();
    if (a.livePrimary() == null) {
      reasons.add("no server answers as the primary" + (a.primaryError() == null ? "" : " (" + a.primaryPodName() + ": " + a.primaryError() + ")"));
      if (a.primaryFull()) {
        reasons.add(a.primaryPodName() + " is alive but refuses new connections (too many clients): failing over from it would"
            + " leave its sessions writing. End sessions from a superuser connection (its reserved slots), or let a person decide");
        return new Recommendation(null, reasons, false);
      }
      if (a.patroniManaged()) {
        reasons.add("Patroni manages the database: only Patroni may choose the new leader");
        return new Recommendation(PatroniFailoverWorkflow.SCENARIO, reasons, true);
      }
      String comingBack = a.comingBack();
      if (comingBack != null) {
        reasons.add(comingBack + "; pgdr waits for it, and escalates to a failover if it stays down past part of the RTO");
        return new Recommendation(TransientOutageWorkflow.SCENARIO, reasons, true);
      }
      if (a.candidate() != null) {
        if (a.primaryPod() != null) {
          reasons.add("pod " + a.primaryPodName() + " is " + a.primaryPod().phase() + ", not ready, with no restart under way");
        }
        reasons.add("replica " + a.candidate().pod() + " answers, " + a.candidate().lossText()
            + (a.candidate().rpoExceeded() ? ", ABOVE the RPO of " + a.rpo().toSeconds() + " s (the approval must accept it)"
                : ", within the RPO of " + a.rpo().toSeconds() + " s"));
        return new Recommendation(ReplicaPromotionWorkflow.SCENARIO, reasons, true);
      }
      reasons.add("no replica answers to be promoted: pgdr waits for the primary and asks to restart its pod");
      return new Recommendation(TransientOutageWorkflow.SCENARIO, reasons, true);
    }
    reasons.add(a.livePrimary().pod() + " answers as the primary");
    if (a.connections() != null && a.connections().nearLimit()) {
      String usage = a.connections().clients() + " of " + a.connections().maxConnections() + " connections in use ("
          + Math.round(a.connections().usage() * 100) + "% of those open to applications)";
      if (!a.connections().idleInTransaction().isEmpty()) {
        reasons.add(usage + ", " + a.connections().idleInTransaction().size() + " sessions idle in a transaction past the threshold");
        return new Recommendation(ConnectionPoolRecoveryWorkflow.SCENARIO, reasons, true);
      }
      reasons.add(usage + ", but no session is idle in a transaction past the threshold: nothing pgdr would end. Lower the"
          + " applications' pool sizes or raise max_connections by hand");
      return new Recommendation(null, reasons, false);
    }
    if (a.dataReportedBad()) {
      reasons.add("the data is reported bad: restore the last good backup (pgdr restore) or recover to a point before the"
          + " damage (pgdr pitr); which one, and which backup or time, is a person's choice");
      return new Recommendation(RESTORE_OR_PITR, reasons, false);
    }
    if (Boolean.FALSE.equals(a.serviceAnswers())) {
      reasons.add("but not through the Service: check the Service's selector and endpoints (kubectl describe service)");
      return new Recommendation(null, reasons, false);
    }
    reasons.add("the database answers" + (Boolean.TRUE.equals(a.serviceAnswers()) ? " through the Service" : "")
        + ": nothing to recover");
    return new Recommendation(null, reasons, false);
  }
}
