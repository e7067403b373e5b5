package io.pgdr.failover;

import io.pgdr.run.PolicyCheck;
import io.pgdr.target.ApprovalPolicy;
import java.util.ArrayList;

import io.pgdr.ports.PromotionIntent;
import io.pgdr.ports.ServerState;
import io.pgdr.run.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Chooses the replica to promote and estimates the data loss. Pure: the workflow passes what it saw. */
public final class Candidates {

  private Candidates() {}

  /**
   * The reachable standby with the most advanced replay LSN. The furthest known position is the
   * old primary's current LSN when it answers; when it does not, the most WAL any replica
   * received, since that is all that is known to have existed.
   *
   * @param replicas reachable servers in recovery, fenced ones already left out
   * @param oldPrimary the old primary's state, reachable or not; may be null
   * @param lossAnchor the time the old primary was last known to write (incident start, or now)
   */
  public static Optional<CandidateChoice> choose(List<ServerState> replicas, ServerState oldPrimary, Instant lossAnchor, Duration rpo) {
    Optional<ServerState> best = replicas.stream()
        .filter(s -> s.reachable() && s.inRecovery() && s.replayLsn() != null)
        .max(Comparator.comparingLong((ServerState s) -> Lsn.parse(s.replayLsn())).thenComparing(ServerState::pod, Comparator.reverseOrder()));
    if (best.isEmpty()) {
      return Optional.empty();
    }
    ServerState candidate = best.get();
    long candidatePosition = Lsn.parse(candidate.replayLsn());
    long known;
    String basis;
    if (oldPrimary != null && oldPrimary.reachable() && !oldPrimary.inRecovery() && oldPrimary.currentLsn() != null) {
      known = Lsn.parse(oldPrimary.currentLsn());
      basis = "old primary " + oldPrimary.pod() + " answered at " + oldPrimary.currentLsn();
    } else {
      known = replicas.stream().mapToLong(s -> Math.max(Lsn.parse(s.receiveLsn()), Lsn.parse(s.replayLsn()))).max().orElse(candidatePosition);
      basis = "old primary unreachable: furthest WAL received by any replica, " + Lsn.format(Math.max(known, candidatePosition));
    }
    long lostBytes = Math.max(0, known - candidatePosition);
    double lostSeconds = 0;
    if (lostBytes > 0 && candidate.lastReplayAt() != null) {
      lostSeconds = Math.max(0, Duration.between(candidate.lastReplayAt(), lossAnchor).toMillis() / 1000.0);
    }
    boolean exceeded = lostSeconds > rpo.toSeconds();
    return Optional.of(new CandidateChoice(candidate.pod(), candidate.replayLsn(), lostBytes, lostSeconds, basis, exceeded, false));
  }

  /**
   * A server already out of recovery, for a run that finds no standby left to promote because the
   * promotion happened before it looked: by an earlier run that stopped midway, or by hand. Taken
   * only when it is the one unfenced primary and the Service selects another pod by name: a Service
   * already on the only primary is a healthy cluster, a Service that selects by other labels does
   * not say where clients go, and two primaries are a split brain; a human settles those. What its
   * promotion lost can no longer be measured: an old estimate recorded by another run is not reused.
   *
   * @param servers every server as diagnosed
   * @param fenced pods pgdr fenced: never a candidate
   * @param servicePod the pod the Service selects by name, or null
   * @param intent the promotion some run recorded on the StatefulSet, or null; named in the basis
   */
  public static Optional<CandidateChoice> alreadyPromoted(List<ServerState> servers, List<String> fenced, String servicePod,
      PromotionIntent intent) {
    List<ServerState> primaries = servers.stream()
        .filter(s -> s.reachable() && !s.inRecovery() && !fenced.contains(s.pod()))
        .toList();
    if (primaries.size() != 1 || servicePod == null || primaries.get(0).pod().equals(servicePod)) {
      return Optional.empty();
    }
    ServerState promoted = primaries.get(0);
    String by = intent != null && promoted.pod().equals(intent.pod()) ? "promoted by run " + intent.runId() : "promoted before this run looked";
    return Optional.of(new CandidateChoice(promoted.pod(), promoted.currentLsn(), -1, -1,
        promoted.pod() + " was already out of recovery (" + by + "): the loss against the old primary can no longer be measured",
        false, true));
  }

  /** Every pod that might take writes: all but the candidate and live standbys (a standby cannot take writes). */
  public static List<String> podsToFence(List<ServerState> servers, String candidate, String servicePod) {
    return servers.stream()
        .filter(s -> !s.pod().equals(candidate) && !(s.reachable() && s.inRecovery() && !s.pod().equals(servicePod)))
        .map(ServerState::pod)
        .toList();
  }

  /**
   * The conditions of {@link ApprovalPolicy#PROMOTE_WITHIN_RPO} for promoting {@code choice}: its
   * loss measured and within the RPO; when the old primary cannot say its position, the candidate
   * replayed a transaction within the RPO before the incident (else "0 bytes behind what the replicas
   * received" says nothing of what they never received); the old primary not answering as a primary;
   * and the old primary among the pods fenced before the promotion.
   *
   * @param servers every server as diagnosed (the candidate's and the old primary's states among them)
   * @param oldPrimary the pod the Service selects; null when it selects none by name
   * @param lossAnchor when the old primary was last known to write: the incident start when it is down
   */
  public static PolicyCheck promoteWithinRpo(CandidateChoice choice, List<ServerState> servers, String oldPrimary,
      List<String> fencedFirst, Duration rpo, Instant lossAnchor) {
    List<String> held = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    Optional<ServerState> old = servers.stream().filter(s -> s.pod().equals(oldPrimary)).findFirst();
    boolean oldAnswers = old.filter(s -> s.reachable() && !s.inRecovery()).isPresent();
    if (choice.lostBytes() < 0 || choice.lostSeconds() < 0) {
      failed.add("the loss of promoting " + choice.pod() + " cannot be measured");
    } else if (choice.rpoExceeded()) {
      failed.add(choice.lossText() + " is above the RPO of " + rpo.toSeconds() + " s");
    } else {
      held.add(choice.lossText() + " is within the RPO of " + rpo.toSeconds() + " s");
    }
    if (!oldAnswers) {
      Instant lastReplay = servers.stream().filter(s -> s.pod().equals(choice.pod())).findFirst().map(ServerState::lastReplayAt).orElse(null);
      if (lastReplay == null) {
        failed.add(choice.pod() + " has replayed no transaction pgdr can date, so what it never received cannot be bounded");
      } else if (Duration.between(lastReplay, lossAnchor).compareTo(rpo) > 0) {
        failed.add(choice.pod() + " last replayed a transaction at " + lastReplay + ", more than the RPO before the incident ("
            + lossAnchor + "): it may have stopped receiving long before");
      } else {
        held.add(choice.pod() + " last replayed a transaction at " + lastReplay + ", within the RPO of the incident start " + lossAnchor);
      }
    }
    if (oldPrimary == null) {
      failed.add("the old primary is not known (the Service selects no pod by name), so pgdr cannot show it fenced");
    } else if (oldPrimary.equals(choice.pod())) {
      failed.add(choice.pod() + " is the old primary itself: nothing to fail over from");
    } else if (oldAnswers) {
      failed.add("the old primary " + oldPrimary + " answers as a primary: failing over from a live primary is a person's decision");
    } else if (!fencedFirst.contains(oldPrimary)) {
      failed.add("the old primary " + oldPrimary + " is not among the pods fenced before the promotion");
    } else {
      held.add("the old primary " + oldPrimary + " does not answer as a primary, and is fenced (read-only, marked in the StatefulSet)"
          + " before the promotion");
    }
    return new PolicyCheck(ApprovalPolicy.PROMOTE_WITHIN_RPO, held, failed);
  }
}
