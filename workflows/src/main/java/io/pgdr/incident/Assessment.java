package io.pgdr.incident;

import io.pgdr.failover.CandidateChoice;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.PodState;
import io.pgdr.ports.ServerState;
import java.time.Duration;
import java.util.Locale;

/**
 * What an incident's assessment found that decides the recommendation; the rest of what it found
 * is in its findings.
 *
 * @param patroniManaged the target names Patroni
 * @param primaryPodName the pod that should be the primary: the one the Service selects, else the
 *     last one seen out of recovery; null when neither is known
 * @param primaryPod that pod as Kubernetes shows it; null when it does not exist (deleted)
 * @param livePrimary the server answering as the primary; null when none does
 * @param primaryError why the primary's pod did not answer; null when it did or is not known
 * @param candidate the replica a promotion would choose, with its loss; null when none qualifies
 * @param connections the live primary's connections; null without a live primary
 * @param serviceAnswers a query through the Service succeeded; null when not tried
 * @param dataReportedBad what was observed says the data is wrong (see {@link #saysDataIsBad})
 */
public record Assessment(boolean patroniManaged, String primaryPodName, PodState primaryPod, ServerState livePrimary,
    String primaryError, CandidateChoice candidate, ConnectionsReport connections, Boolean serviceAnswers, boolean dataReportedBad,
    Duration rpo) {

  /** What PostgreSQL answers while it replays its WAL after a crash or restart (SQLSTATE 57P03). */
  private static final java.util.List<String> STARTING = java.util.List.of("the database system is starting up",
      "the database system is in recovery mode", "the database system is not yet accepting connections");
  /** What PostgreSQL answers when every connection slot is taken (SQLSTATE 53300): alive, and full. */
  private static final java.util.List<String> FULL = java.util.List.of("too many clients",
      "remaining connection slots are reserved");

  /** The primary answered that its connection slots are all taken: it is alive, not down. */
  public boolean primaryFull() {
    return says(primaryError, FULL);
  }

  private static boolean says(String error, java.util.List<String> phrases) {
    String lower = error == null ? "" : error.toLowerCase(Locale.ROOT);
    return phrases.stream().anyMatch(lower::contains);
  }

  /** Words that, in what a person observed, mean the data itself is wrong: no recovery of service fixes that. */
  private static final java.util.List<String> BAD_DATA_WORDS = java.util.List.of("corrupt", "deleted", "dropped", "truncated",
      "wrong data", "bad data", "data loss", "lost data", "missing rows", "bad migration");

  /** Whether {@code cause} reports the data as bad (deleted, corrupted, a bad migration). */
  public static boolean saysDataIsBad(String cause) {
    if (cause == null) {
      return false;
    }
    String lower = cause.toLowerCase(Locale.ROOT);
    return BAD_DATA_WORDS.stream().anyMatch(lower::contains);
  }

  /**
   * Kubernetes is bringing the primary's pod back: it is gone (the StatefulSet recreates it),
   * Pending, or not ready after restarts.
   */
  public String comingBack() {
    if (primaryPodName == null) {
      return null;
    }
    if (says(primaryError, STARTING)) {
      return "the server of " + primaryPodName + " answers that it is starting up (crash recovery): it is coming back on its data";
    }
    if (primaryPod == null) {
      return "pod " + primaryPodName + " does not exist: the StatefulSet recreates it";
    }
    if ("Pending".equals(primaryPod.phase())) {
      return "pod " + primaryPodName + " is Pending: it is being scheduled or started";
    }
    if (!primaryPod.ready() && primaryPod.restarts() > 0) {
      return "pod " + primaryPodName + " is restarting (" + primaryPod.restarts() + " restarts, not ready)";
    }
    return null;
  }
}
