package io.pgdr.failover;

import io.pgdr.ports.FenceResult;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionIntent;
import io.pgdr.ports.ServerState;
import io.pgdr.rejoin.RejoinOffer;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Plan;
import io.pgdr.run.PolicyCheck;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.Ports;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.StopRun;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public class ReplicaPromotionWorkflowImpl extends RecoveryWorkflow implements ReplicaPromotionWorkflow {

  static final String FENCE = "fence";
  static final String PROMOTE = "promote";
  static final String REPOINT = "repoint";
  static final String RESTART_APPS = "restart-apps";
  static final String VERIFY = "verify";
  static final String OFFER_REJOIN = "offer-rejoin";

  private CandidateChoice choice;
  private Map<String, PostgresServer> byPod = Map.of();
  private List<String> toFence;
  private boolean fenced;
  private boolean promoted;
  private List<ServerState> servers = List.of();
  private List<String> fencedPods = List.of();
  private String servicePod;
  private PromotionIntent promotion;
  /** The choice is the one this run recorded before its worker was lost: it was approved then. */
  private boolean resumed;
  /** When the old primary was last known to write: what the estimated loss is counted to. */
  private Instant lossAnchor;

  /**
   * Runs since version 1 record their candidate on the StatefulSet before fencing, and a run that
   * finds its own record (its worker was lost mid-promotion) or a server already promoted carries
   * on from there. Runs recorded before replay without the record.
   */
  private static final String RESUME_PROMOTION = "resume-promotion";
  /** Runs since version 1 end by offering the rejoin of the pods they fenced (its own run and approval). */
  private static final String OFFERS_REJOIN = "offer-rejoin";
  private boolean offersRejoin;
  private String requestedBy;

  public ReplicaPromotionWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport promote(ReplicaPromotionRequest request) {
    requestedBy = request.requestedBy();
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  /** A target that says Patroni manages it is refused before anything is read: only Patroni may choose a new leader. */
  @Override
  protected List<String> inputProblems() {
    List<String> problems = new java.util.ArrayList<>(super.inputProblems());
    if (target.patroni() != null) {
      problems.add("patroni: this database is managed by Patroni, so pg_promote would go behind its back (two leaders); fail over"
          + " through Patroni (its REST API POST /failover, or patronictl failover --candidate POD)");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    byPod = step("diagnose", this::inspect);
    List<String> managed = servers.stream().filter(ServerState::patroniManaged).map(ServerState::pod).sorted().toList();
    if (!managed.isEmpty()) {
      // never a second leader behind Patroni's back: Patroni still holds the leader key of the old primary
      throw new StopRun(String.join(", ", managed) + (managed.size() == 1 ? " is" : " are") + " managed by Patroni: promoting with"
          + " pg_promote behind Patroni's back would leave two leaders. Fail over through Patroni (its REST API POST /failover, or"
          + " patronictl failover --candidate POD)", true);
    }
    choice = step("choose-candidate", this::chooseCandidate);
    if (choice == null) {
      throw new StopRun(noCandidate());
    }
    toFence = Candidates.podsToFence(servers, choice.pod(), servicePod);
    String oldPrimary = servicePod == null ? "unknown" : servicePod;
    String repointed = "Service " + target.service() + (target.configMap() == null ? "" : " and ConfigMap " + target.configMap().name());
    offersRejoin = !toFence.isEmpty() && Workflow.getVersion(OFFERS_REJOIN, Workflow.DEFAULT_VERSION, 1) >= 1;
    Plan.Builder plan = plan()
        .changes(FENCE, PlannedStep.KUBERNETES + " + " + PlannedStep.POSTGRES, "fence every pod but " + choice.pod() + " (old primary "
            + oldPrimary + " never accepts writes again): " + (toFence.isEmpty() ? "none to fence" : String.join(", ", toFence))
            + " read-only with sessions ended, and marked in StatefulSet " + target.statefulSet(),
            toFence.isEmpty() ? null : String.join(", ", toFence) + (toFence.size() == 1 ? " stays" : " stay")
                + " fenced (read-only, marked in StatefulSet " + target.statefulSet()
                + "): rebuild " + (toFence.size() == 1 ? "it" : "them") + " as a standby of " + choice.pod() + " before serving again")
        .changes(PROMOTE, PlannedStep.POSTGRES, choice.alreadyPromoted() ? choice.pod() + " is already out of recovery: pg_promote is not needed"
            : "promote " + choice.pod() + " (pg_promote)",
            "Check whether " + choice.pod() + " left recovery (SELECT pg_is_in_recovery()); " + repointed
                + " still point where they did")
        .changes(REPOINT, PlannedStep.KUBERNETES, "repoint " + repointed + " to " + choice.pod(),
            "Check that " + repointed + " point to " + choice.pod())
        .changes(RESTART_APPS, PlannedStep.KUBERNETES, "rollout restart " + deployments(), null)
        .reads(VERIFY, PlannedStep.POSTGRES, "verify: not in recovery, write probe (a WAL message: nothing is created), integrity tables "
            + target.verification().integrityTables());
    if (offersRejoin) {
      plan.reads(OFFER_REJOIN, PlannedStep.TEMPORAL, "offer the rejoin of " + String.join(", ", toFence) + " as standbys of " + choice.pod()
          + ": a run of its own (" + target.rejoinWorkflowId() + ") that asks its own approval");
    }
    return plan.build();
  }

  @Override
  protected String change() {
    PostgresServer candidate = byPod.get(choice.pod());
    step(FENCE, () -> fenceAllBut(candidate.pod(), byPod));
    fenced = true;
    step(PROMOTE, () -> promoter("promote " + candidate.pod()).promoteServer(candidate));
    promoted = true;
    ledger.handBack(PROMOTE, candidate.pod() + " is the primary now, but Service " + target.service()
        + (target.configMap() == null ? "" : " and ConfigMap " + target.configMap().name()) + " still point where they did: repoint them to "
        + candidate.pod() + " by hand");
    step(REPOINT, () -> {
      // independent objects: both must be repointed before the apps restart, in any order
      Promise.allOf(
          Async.procedure(Ports.kubernetes("repoint Service " + target.service() + " to " + candidate.pod())::repointService,
              target, candidate.pod()),
          Async.procedure(Ports.kubernetes("repoint ConfigMap " + (target.configMap() == null ? "(none)" : target.configMap().name())
              + " to " + candidate.pod())::repointConfigMap, target, candidate.pod())).get();
      timeline.note("Service " + target.service() + (target.configMap() == null ? "" : " and ConfigMap " + target.configMap().name()) + " -> " + candidate.pod());
    });
    ledger.handBack(PROMOTE, null);
    ledger.handBack(REPOINT, null);
    restartApps(RESTART_APPS);
    verifyPrimary(VERIFY, candidate, "was promoted");
    if (offersRejoin) {
      step(OFFER_REJOIN, () -> timeline.note(RejoinOffer.offer(target, requestedBy, SCENARIO + " " + Workflow.getInfo().getWorkflowId(), null)));
    }
    return candidate.pod() + " is the new primary and passed verification";
  }

  /**
   * Promotion runs as a local activity since version 1: fence, promote and repoint then follow
   * each other within one workflow task, with no task-queue round trip and no new workflow task
   * between them while the database is down. A worker lost mid-promotion means the next worker
   * promotes again, which {@code promoteServer} tolerates (an already promoted server is left as
   * it is). Runs recorded before keep their ordinary activity on replay.
   */
  private static PostgresActivities promoter(String summary) {
    int version = Workflow.getVersion("promote-as-local-activity", Workflow.DEFAULT_VERSION, 1);
    return version == 1 ? Ports.postgres(summary)
        : PostgresActivities.CALLS.stubWith(PostgresActivities.PROMOTION.asOrdinaryActivity(Duration.ofMinutes(3)), summary);
  }

  private Map<String, PostgresServer> inspect() {
    ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
    promotion = diagnosis.cluster().promotion();
    servers = diagnosis.states();
    fencedPods = diagnosis.fencedPods();
    servicePod = diagnosis.cluster().servicePod();
    return diagnosis.servers();
  }

  private CandidateChoice chooseCandidate() {
    boolean resumes = Workflow.getVersion(RESUME_PROMOTION, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (resumes && promotion != null && runId().equals(promotion.runId())) {
      // fence, promote and repoint share one workflow task: a worker lost inside it lost the
      // choice too, while the cluster may be half-moved. The StatefulSet kept what this run chose.
      if (servers.stream().noneMatch(s -> s.pod().equals(promotion.pod()))) {
        return null; // its candidate is gone, maybe promoted: never promote a second server (see noCandidate)
      }
      resumed = true;
      CandidateChoice recorded = CandidateChoice.recorded(promotion, servers.stream()
          .anyMatch(s -> s.pod().equals(promotion.pod()) && s.reachable() && !s.inRecovery()));
      timeline.note("this run chose " + recorded.pod() + " before its worker was lost; carrying on with it"
          + (recorded.alreadyPromoted() ? " (already promoted)" : ""));
      return recorded;
    }
    List<ServerState> replicas = servers.stream()
        .filter(s -> s.reachable() && s.inRecovery() && !fencedPods.contains(s.pod()))
        .toList();
    ServerState oldPrimary = servers.stream().filter(s -> s.pod().equals(servicePod)).findFirst()
        .orElse(servers.stream().filter(s -> s.reachable() && !s.inRecovery()).findFirst().orElse(null));
    lossAnchor = oldPrimary != null && oldPrimary.reachable() ? now() : incidentStart();
    Optional<CandidateChoice> chosen = Candidates.choose(replicas, oldPrimary, lossAnchor, target.objectives().rpo());
    if (chosen.isEmpty() && resumes) {
      chosen = Candidates.alreadyPromoted(servers, fencedPods, servicePod, promotion);
    }
    chosen.ifPresent(c -> timeline.note(c.pod() + (c.alreadyPromoted() ? " already out of recovery at " : " at ") + c.replayLsn()
        + ", " + c.lossText() + " (" + c.basis() + ")"));
    return chosen.orElse(null);
  }

  /** Why there is nothing to promote, as the person who started the run needs to hear it. */
  private String noCandidate() {
    if (promotion != null && runId().equals(promotion.runId())) {
      return "this run chose " + promotion.pod() + " before its worker was lost, and " + promotion.pod() + " is gone now (it may"
          + " have been promoted): settle which server is the primary by hand before promoting another";
    }
    List<ServerState> primaries = servers.stream().filter(s -> s.reachable() && !s.inRecovery() && !fencedPods.contains(s.pod())).toList();
    if (primaries.size() > 1) {
      return "more than one server is out of recovery (" + String.join(", ", primaries.stream().map(ServerState::pod).toList())
          + "): settle which one is the primary by hand";
    }
    if (primaries.size() == 1 && primaries.get(0).pod().equals(servicePod)) {
      return "no reachable replica to promote, and nothing to fail over: " + servicePod + " answers as the primary the Service selects";
    }
    return "no reachable replica to promote";
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    String promote = choice.alreadyPromoted() ? "make " + choice.pod() + " (already out of recovery) the primary of " : "promote " + choice.pod() + " to primary of ";
    return new ApprovalRequest("promote", promote + target.name()
        + " (" + choice.lossText() + (choice.rpoExceeded() ? ", ABOVE the RPO of " + target.objectives().rpo() : "") + ")",
        plan.lines(), choice.pod(), choice.lostSeconds(), choice.rpoExceeded(), target.approval().approvers(), now, approvalDeadline(now));
  }


  /**
   * Fences every pod that might take writes, all at once: each pod's Kubernetes mark and SQL fence
   * are independent of each other and of other pods'. Returns only when every fence has completed,
   * so promotion never starts beside an unfenced primary.
   */
  private void fenceAllBut(String candidate, Map<String, PostgresServer> byPod) {
    List<String> pods = toFence;
    List<Promise<Void>> marks = new ArrayList<>();
    if (Workflow.getVersion(RESUME_PROMOTION, Workflow.DEFAULT_VERSION, 1) >= 1) {
      // beside the fences, which touch other pods: both must be done before promotion starts
      marks.add(Async.procedure(Ports.kubernetes("record in StatefulSet " + target.statefulSet() + " that this run promotes "
          + candidate)::recordPromotionIntent, target, choice.intent(runId())));
    }
    List<Promise<FenceResult>> fences = new ArrayList<>();
    for (String pod : pods) {
      marks.add(Async.procedure(Ports.kubernetes("fence " + pod + ": mark it in the StatefulSet")::fencePod, target, pod, runId()));
      fences.add(Async.function(Ports.postgres("fence " + pod + ": read-only, sessions ended")::fenceServer, byPod.get(pod)));
    }
    Promise.allOf(Promise.allOf(marks), Promise.allOf(fences)).get();
    for (int i = 0; i < pods.size(); i++) {
      FenceResult fenced = fences.get(i).get();
      timeline.note(pods.get(i) + (fenced.reachable() ? " read-only, " + fenced.terminatedSessions() + " sessions ended"
          : " unreachable, marked fenced in the StatefulSet"));
    }
  }

  /**
   * The target's promote-within-rpo policy, checked on this run's own choice. A run resuming its own
   * recorded choice passed its approval before (the choice is recorded only after it): the cluster
   * it finds now is half-moved by its own earlier attempt, so the conditions are not checked again.
   */
  @Override
  protected PolicyCheck policyCheck() {
    if (resumed) {
      return new PolicyCheck(io.pgdr.target.ApprovalPolicy.PROMOTE_WITHIN_RPO, List.of("this run recorded its choice of " + choice.pod()
          + " on StatefulSet " + target.statefulSet() + " after an earlier attempt passed its approval; its worker was lost midway"), List.of());
    }
    return Candidates.promoteWithinRpo(choice, servers, servicePod, toFence, target.objectives().rpo(),
        lossAnchor == null ? incidentStart() : lossAnchor);
  }

  @Override
  protected RpoFigures rpo() {
    return choice == null ? null : new RpoFigures(choice.lostSeconds(), target.objectives().rpo().toSeconds(), choice.basis());
  }

  @Override
  protected PromotionOutcome outcome() {
    return choice == null ? null : new PromotionOutcome(promoted ? choice.pod() : null, servicePod, choice.replayLsn(),
        choice.lostBytes() < 0 ? null : choice.lostBytes(), choice.alreadyPromoted(), fenced ? toFence : List.of());
  }
}
