package io.pgdr.failover;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.Escalation;
import io.pgdr.ports.FenceResult;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ActivityStubs;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalGate;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.RecoveryFailure;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.RtoClock;
import io.pgdr.run.RunStatus;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;

public class ReplicaPromotionWorkflowImpl implements ReplicaPromotionWorkflow {

  private static final Logger log = Workflow.getLogger(ReplicaPromotionWorkflowImpl.class);

  private final KubernetesActivities kubernetes = ActivityStubs.kubernetes();
  private final KubernetesActivities kubernetesQuick = ActivityStubs.kubernetesQuick();
  private final PostgresActivities postgres = ActivityStubs.postgres();
  private final PostgresActivities postgresQuick = ActivityStubs.postgresQuick();
  private final PostgresActivities promotion = ActivityStubs.promotion();
  private final NotificationActivities notifications = ActivityStubs.notifications();
  private final Timeline timeline = new Timeline();

  private DatabaseTarget target;
  private ApprovalGate gate;
  private RtoClock clock;
  private String phase = "diagnosing";
  private RecoveryReport report;
  private CandidateChoice choice;
  private List<ServerState> servers = List.of();
  private List<String> fencedPods = List.of();
  private String servicePod;

  @Override
  public RecoveryReport promote(ReplicaPromotionRequest request) {
    target = request.target();
    gate = new ApprovalGate(target.approval());
    Instant incidentStart = request.incidentStart() == null ? now() : request.incidentStart();
    clock = new RtoClock(incidentStart, target.objectives().rto());
    clock.start(this::escalate);

    List<String> problems = target.problems();
    if (!problems.isEmpty()) {
      return finish(RecoveryReport.FAILED, "the target is not valid: " + String.join("; ", problems), null, null);
    }
    try {
      Map<String, PostgresServer> byPod = timeline.step("diagnose", this::diagnose);
      choice = timeline.step("choose-candidate", () -> chooseCandidate(incidentStart));
      if (choice == null) {
        return finish(RecoveryReport.FAILED, "no reachable replica to promote: nothing was changed", null, null);
      }
      ApprovalRecord decision = approval(request.preApproval());
      if (!decision.approved()) {
        return finish(RecoveryReport.ABORTED, abortMessage(decision), null, null);
      }
      phase = "recovering";
      PostgresServer candidate = byPod.get(choice.pod());
      timeline.step("fence", () -> fenceAllBut(candidate.pod(), byPod));
      try {
        timeline.step("promote", () -> promotion.promoteServer(candidate));
      } catch (ActivityFailure e) {
        return finish(RecoveryReport.FAILED, "promotion of " + candidate.pod() + " failed: " + Timeline.rootMessage(e)
            + ". The old primary is fenced; the Service and ConfigMap still point where they did; apps were not restarted.", null, null);
      }
      timeline.step("repoint", () -> {
        // independent objects: both must be repointed before the apps restart, in any order
        Promise.allOf(
            Async.procedure(kubernetesQuick::repointService, target, candidate.pod()),
            Async.procedure(kubernetesQuick::repointConfigMap, target, candidate.pod())).get();
        timeline.note("Service " + target.service() + (target.configMap() == null ? "" : " and ConfigMap " + target.configMap().name()) + " -> " + candidate.pod());
      });
      timeline.step("restart-apps", () -> {
        List<String> restarted = kubernetes.restartDeployments(target, runId());
        timeline.note("restarted " + (restarted.isEmpty() ? "nothing new" : String.join(", ", restarted)));
      });
      phase = "verifying";
      VerificationResult verification = timeline.step("verify",
          () -> postgres.verifyPrimary(candidate, target.verification().integrityTables(), runId()));
      if (!verification.passed()) {
        return finish(RecoveryReport.FAILED, candidate.pod() + " was promoted but did not pass verification: "
            + String.join("; ", verification.problems()), candidate.pod(), verification);
      }
      Instant recoveredAt = now();
      return finish(RecoveryReport.SUCCEEDED, candidate.pod() + " is the new primary and passed verification",
          candidate.pod(), verification, recoveredAt);
    } catch (ActivityFailure e) {
      return finish(RecoveryReport.FAILED, "step " + timeline.current() + " failed: " + Timeline.rootMessage(e), null, null);
    }
  }

  private Map<String, PostgresServer> diagnose() {
    ClusterState cluster = kubernetesQuick.describeCluster(target);
    Map<String, PostgresServer> byPod = cluster.pods().stream().collect(Collectors.toMap(PodState::name, this::serverOf,
        (a, b) -> a, java.util.LinkedHashMap::new));
    // read-only and independent: ask every server at once, so a dead one costs no more than a live one
    List<Promise<ServerState>> inspections = byPod.values().stream()
        .map(server -> Async.function(postgresQuick::inspectServer, server)).toList();
    Promise.allOf(inspections).get();
    List<ServerState> seen = inspections.stream().map(Promise::get).toList();
    servers = seen;
    timeline.note("StatefulSet " + cluster.readyReplicas() + "/" + cluster.desiredReplicas() + " ready; Service -> " + cluster.servicePod());
    for (ServerState s : seen) {
      timeline.note(s.pod() + ": " + (!s.reachable() ? "unreachable (" + s.error() + ")"
          : s.inRecovery() ? "standby, replay " + s.replayLsn() : "primary at " + s.currentLsn()));
    }
    fencedPods = cluster.pods().stream().filter(PodState::fenced).map(PodState::name).toList();
    servicePod = cluster.servicePod();
    return byPod;
  }

  private CandidateChoice chooseCandidate(Instant incidentStart) {
    List<ServerState> replicas = servers.stream()
        .filter(s -> s.reachable() && s.inRecovery() && !fencedPods.contains(s.pod()))
        .toList();
    ServerState oldPrimary = servers.stream().filter(s -> s.pod().equals(servicePod)).findFirst()
        .orElse(servers.stream().filter(s -> s.reachable() && !s.inRecovery()).findFirst().orElse(null));
    Instant lossAnchor = oldPrimary != null && oldPrimary.reachable() ? now() : incidentStart;
    CandidateChoice chosen = Candidates.choose(replicas, oldPrimary, lossAnchor, target.objectives().rpo()).orElse(null);
    if (chosen != null) {
      timeline.note(chosen.pod() + " at " + chosen.replayLsn() + ", estimated loss " + chosen.lostBytes() + " bytes / "
          + chosen.lostSeconds() + " s (" + chosen.basis() + ")");
    }
    return chosen;
  }

  private ApprovalRecord approval(ApprovalDecision preApproval) {
    ApprovalRequest request = approvalRequest();
    if (preApproval != null) {
      ApprovalRecord given = gate.preApproved(request, preApproval);
      if (given != null) {
        timeline.skip("approval", "pre-approved by " + given.by() + " (" + given.reason() + ")");
        return given;
      }
    }
    phase = "awaiting-approval";
    return timeline.step("approval", () -> {
      ApprovalRecord decision = gate.await(request);
      timeline.note(decision.decision() + (decision.by() == null ? "" : " by " + decision.by()));
      if (ApprovalRecord.TIMED_OUT.equals(decision.decision())) {
        escalate("approval of failover to " + request.candidate() + " not answered within " + gate.timeout() + "; run aborted");
      }
      return decision;
    });
  }

  private ApprovalRequest approvalRequest() {
    String primaryPod = servicePod == null ? "unknown" : servicePod;
    List<String> plan = List.of(
        "fence every pod but " + choice.pod() + " (old primary " + primaryPod + " never accepts writes again)",
        "promote " + choice.pod() + " (pg_promote)",
        "repoint Service " + target.service() + (target.configMap() == null ? "" : " and ConfigMap " + target.configMap().name()) + " to " + choice.pod(),
        "rollout restart " + (target.deployments().isEmpty() ? "no Deployments" : String.join(", ", target.deployments())),
        "verify: not in recovery, write probe, integrity tables " + target.verification().integrityTables());
    Instant now = now();
    String loss = choice.lostBytes() + " bytes / " + choice.lostSeconds() + " s";
    return new ApprovalRequest("promote", "promote " + choice.pod() + " to primary of " + target.name()
        + " (estimated loss " + loss + (choice.rpoExceeded() ? ", ABOVE the RPO of " + target.objectives().rpo() : "") + ")",
        plan, choice.pod(), choice.lostBytes(), choice.lostSeconds(), choice.rpoExceeded(),
        target.approval().approvers(), now, gate.deadlineFrom(now));
  }

  /**
   * Fences every pod that might take writes, all at once: each pod's Kubernetes mark and SQL fence
   * are independent of each other and of other pods'. Returns only when every fence has completed,
   * so promotion never starts beside an unfenced primary.
   */
  private void fenceAllBut(String candidate, Map<String, PostgresServer> byPod) {
    List<String> pods = servers.stream()
        // a live standby cannot take writes; everything else might be a primary coming back
        .filter(s -> !s.pod().equals(candidate) && !(s.reachable() && s.inRecovery() && !s.pod().equals(servicePod)))
        .map(ServerState::pod)
        .toList();
    List<Promise<Void>> marks = new ArrayList<>();
    List<Promise<FenceResult>> fences = new ArrayList<>();
    for (String pod : pods) {
      marks.add(Async.procedure(kubernetesQuick::fencePod, target, pod, runId()));
      fences.add(Async.function(postgresQuick::fenceServer, byPod.get(pod)));
    }
    Promise.allOf(Promise.allOf(marks), Promise.allOf(fences)).get();
    for (int i = 0; i < pods.size(); i++) {
      FenceResult fenced = fences.get(i).get();
      timeline.note(pods.get(i) + (fenced.reachable() ? " read-only, " + fenced.terminatedSessions() + " sessions ended"
          : " unreachable, marked fenced in the StatefulSet"));
    }
  }

  private PostgresServer serverOf(PodState pod) {
    return new PostgresServer(pod.name(), pod.host(), pod.port(), target.postgres().database(), target.namespace(), target.postgres().credentials());
  }

  private void escalate(String reason) {
    log.warn("escalating: {}", reason);
    notifications.escalate(target.notifications(), new Escalation(Workflow.getInfo().getWorkflowId(), target.name(), SCENARIO, reason, now()));
  }

  private static String abortMessage(ApprovalRecord decision) {
    return ApprovalRecord.REJECTED.equals(decision.decision())
        ? "rejected by " + decision.by() + (decision.reason() == null ? "" : " (" + decision.reason() + ")") + ": nothing was changed"
        : "no approval within the timeout: nothing was changed";
  }

  private RecoveryReport finish(String outcome, String message, String newPrimary, VerificationResult verification) {
    return finish(outcome, message, newPrimary, verification, null);
  }

  private RecoveryReport finish(String outcome, String message, String newPrimary, VerificationResult verification, Instant recoveredAt) {
    phase = outcome;
    RpoFigures rpo = choice == null ? null : new RpoFigures(choice.lostBytes(), choice.lostSeconds(),
        target.objectives().rpo().toSeconds(), choice.basis());
    report = new RecoveryReport(SCENARIO, target.name(), Workflow.getInfo().getWorkflowId(), outcome, message,
        clock.incidentStart(), now(), newPrimary, clock.figures(recoveredAt), rpo, gate.records(), timeline.steps(), verification);
    Workflow.setCurrentDetails(outcome + ": " + message);
    if (RecoveryReport.FAILED.equals(outcome)) {
      log.error("recovery failed: {}", message);
      throw RecoveryFailure.of(report);
    }
    return report;
  }

  @Override
  public void approve(ApprovalDecision decision) {
    if (gate != null) { // a signal that arrives before the run has read its target finds nothing pending
      gate.onDecision(decision, true);
    }
  }

  @Override
  public void reject(ApprovalDecision decision) {
    if (gate != null) {
      gate.onDecision(decision, false);
    }
  }

  @Override
  public RunStatus status() {
    List<String> warnings = new ArrayList<>();
    if (clock != null) {
      warnings.addAll(clock.warnings());
    }
    if (gate != null) {
      warnings.addAll(gate.refusals());
    }
    return new RunStatus(SCENARIO, target == null ? null : target.name(), phase, timeline.current(),
        gate == null ? null : gate.pending(), timeline.steps(), gate == null ? List.of() : gate.records(),
        warnings, clock != null && clock.breached(), report);
  }

  private static String runId() {
    return Workflow.getInfo().getRunId();
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
