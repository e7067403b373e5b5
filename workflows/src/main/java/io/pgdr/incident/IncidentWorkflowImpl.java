package io.pgdr.incident;

import io.pgdr.failover.CandidateChoice;
import io.pgdr.failover.Candidates;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.outage.TransientOutageRequest;
import io.pgdr.outage.TransientOutageWorkflow;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.PatroniView;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Plan;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.PolicyCheck;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

public class IncidentWorkflowImpl extends RecoveryWorkflow implements IncidentWorkflow {

  static final String ASSESS = "assess";
  static final String RECOMMEND = "recommend";
  static final String RECOVER = "recover";
  /** Log lines read per database pod (runbook 000 §2.2 {@code kubectl logs --tail}). */
  static final int LOG_LINES = 20;
  /** Of those, the last ones the findings show. */
  static final int LOG_LINES_SHOWN = 3;

  private IncidentRequest request;
  private final List<Alert> alerts = new ArrayList<>();
  private final Set<String> alertKeys = new HashSet<>();
  private final List<String> findings = new ArrayList<>();
  private Recommendation recommendation;
  private CandidateChoice candidate;
  private String servicePod;
  private List<ServerState> servers = List.of();
  private List<String> fencedFirst = List.of();
  private ChildRecovery child;

  public IncidentWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport handle(IncidentRequest request) {
    this.request = request;
    request.alerts().forEach(this::remember);
    return recover(request.target(), request.start(), request.preApproval(), request.planOnly());
  }

  @Override
  public void alert(Alert alert) {
    if (alert == null) {
      return;
    }
    boolean resolved = !alert.firing();
    if (remember(alert) || resolved) {
      timeline.note("alert " + alert.line());
    }
  }

  /** Keeps an alert unless this run has it already (Alertmanager repeats firing alerts); true when new. */
  private boolean remember(Alert alert) {
    String key = alert.key() + (alert.firing() ? "" : "/" + Alert.RESOLVED);
    if (!alertKeys.add(key)) {
      return false;
    }
    alerts.add(alert);
    return true;
  }

  @Override
  protected String workflowId() {
    return target.incidentWorkflowId();
  }

  @Override
  protected Plan diagnose() {
    if (request.cause() != null && !request.cause().isBlank()) {
      findings.add("observed: " + request.cause());
    }
    Assessment assessment = step(ASSESS, this::assess);
    recommendation = step(RECOMMEND, () -> {
      Recommendation r = Recommendation.of(assessment);
      timeline.note("recommended: " + (r.scenario() == null ? "no scenario" : r.scenario()) + " because " + String.join("; ", r.reasons()));
      return r;
    });
    Plan.Builder plan = plan();
    findings.forEach(plan::note);
    if (!recommendation.startable()) {
      return plan.build();
    }
    String what = "start " + recommendation.scenario() + " as its own run " + target.recoveryWorkflowId() + " (" + childDoes() + ")";
    return childChanges()
        ? plan.changes(RECOVER, "temporal", what + ", with this approval; its report becomes part of this one",
            "Read the report of " + target.recoveryWorkflowId() + " (pgdr status " + target.recoveryWorkflowId() + "): it says what it changed and what is left").build()
        : plan.reads(RECOVER, "temporal", what + "; it asks its own approval before it changes anything").build();
  }

  /** Runbook 000 §2 and 004 "assessment": every source at once where they do not depend on each other. */
  private Assessment assess() {
    ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
    servicePod = diagnosis.cluster().servicePod();
    Optional<ServerState> live = diagnosis.livePrimary();
    List<String> pods = diagnosis.cluster().pods().stream().map(PodState::name).toList();
    Promise<Map<String, List<String>>> logs = Async.function(Ports.kubernetes("last " + LOG_LINES + " log lines of " + String.join(", ", pods))::podLogs,
        target, pods, LOG_LINES);
    PostgresServer service = serviceServer();
    Promise<ServerState> throughService = Async.function(Ports.postgres("SELECT 1 through Service " + target.service())::inspectServer, service);
    Promise<PatroniView> patroni = target.patroni() == null ? Workflow.newPromise(null)
        : Async.function(Ports.patroni("Patroni's view of " + target.name())::describePatroni, target, pods);
    Promise<ConnectionsReport> connections = live.isEmpty() ? Workflow.newPromise(null)
        : Async.function(Ports.postgres("connections on " + live.get().pod())::describeConnections, diagnosis.servers().get(live.get().pod()), request.threshold());
    Promise.allOf(logs, throughService, patroni, connections).get();

    noteCluster(diagnosis);
    ServerState viaService = throughService.get();
    finding("connectivity: Service " + target.service() + " (" + service.host() + ":" + service.port() + ") "
        + (!viaService.reachable() ? "does not answer: " + viaService.error() : viaService.inRecovery() ? "reaches a standby" : "reaches the primary")
        + "; per pod: " + String.join(", ", diagnosis.states().stream().map(s -> s.pod() + (s.reachable() ? " answers" : " does not answer")).toList()));
    if (patroni.get() != null) {
      PatroniView view = patroni.get();
      finding("patroni: " + (view.error() != null ? view.error() : view.describeLeader() + (view.paused() ? ", paused" : "")
          + (view.leaderServes() ? "" : ", the leader does not serve") + "; members " + String.join(", ", view.members().stream()
              .map(m -> m.name() + " " + m.role() + " " + m.state() + (m.lagBytes() == null ? "" : " lag " + m.lagBytes() + " B")).toList())));
    }
    if (connections.get() != null) {
      noteConnections(connections.get());
    }
    // the last lines in the findings, the rest of the tail in the activity's result (the run's history)
    logs.get().forEach((pod, lines) -> finding("log " + pod + ": " + (lines.isEmpty() ? "(none)"
        : String.join(" | ", lines.subList(Math.max(0, lines.size() - LOG_LINES_SHOWN), lines.size())))));

    String primaryPod = servicePod != null ? servicePod
        : live.map(ServerState::pod).orElse(diagnosis.states().stream().filter(s -> s.reachable() && !s.inRecovery()).map(ServerState::pod).findFirst().orElse(null));
    ServerState primaryState = diagnosis.states().stream().filter(s -> s.pod().equals(primaryPod)).findFirst().orElse(null);
    if (live.isEmpty()) {
      chooseCandidate(diagnosis, primaryState);
    }
    return new Assessment(target.patroni() != null, primaryPod,
        diagnosis.cluster().pods().stream().filter(p -> p.name().equals(primaryPod)).findFirst().orElse(null), live.orElse(null),
        primaryState == null || primaryState.reachable() ? null : primaryState.error(), candidate, connections.get(), viaService.reachable()
            && !viaService.inRecovery(), Assessment.saysDataIsBad(request.cause()), target.objectives().rpo());
  }

  /** The candidate a promotion would choose now, and what it would lose: what the approval and a policy weigh. */
  private void chooseCandidate(ClusterDiagnosis diagnosis, ServerState oldPrimary) {
    List<String> fenced = diagnosis.fencedPods();
    List<ServerState> replicas = diagnosis.states().stream().filter(s -> s.reachable() && s.inRecovery() && !fenced.contains(s.pod())).toList();
    candidate = Candidates.choose(replicas, oldPrimary, incidentStart(), target.objectives().rpo()).orElse(null);
    servers = diagnosis.states();
    if (candidate != null) {
      fencedFirst = Candidates.podsToFence(diagnosis.states(), candidate.pod(), servicePod);
      finding("candidate: " + candidate.pod() + " at " + candidate.replayLsn() + ", " + candidate.lossText() + " (" + candidate.basis() + ")");
    }
  }

  private void noteCluster(ClusterDiagnosis diagnosis) {
    var cluster = diagnosis.cluster();
    finding("StatefulSet " + target.statefulSet() + ": " + cluster.readyReplicas() + "/" + cluster.desiredReplicas() + " ready; pods "
        + String.join(", ", cluster.pods().stream().map(p -> p.name() + " " + p.phase() + (p.ready() ? " ready" : " not ready")
            + (p.restarts() > 0 ? " " + p.restarts() + " restarts" : "") + (p.fenced() ? " fenced" : "")).toList()));
    finding("claims: " + (cluster.volumeClaims().isEmpty() ? "none" : String.join(", ", cluster.volumeClaims())));
    finding("events: " + (cluster.recentEvents().isEmpty() ? "no warnings" : String.join(" | ", cluster.recentEvents())));
    for (ServerState s : diagnosis.states()) {
      finding("server " + s.pod() + ": " + (!s.reachable() ? "does not answer (" + s.error() + ")"
          : s.inRecovery() ? "standby, received " + s.receiveLsn() + ", replayed " + s.replayLsn()
              + (s.lastReplayAt() == null ? "" : ", last transaction replayed " + Duration.between(s.lastReplayAt(), now()).toSeconds() + " s ago")
          : "primary at " + s.currentLsn() + ", " + (s.replication().isEmpty() ? "no standby streaming"
              : "streaming to " + String.join(", ", s.replication().stream().map(r -> r.applicationName() + " " + r.state()
                  + " replayed " + r.replayLsn()).toList()))));
    }
  }

  private void noteConnections(ConnectionsReport c) {
    finding("connections: " + c.clients() + " of " + c.maxConnections() + " (" + Math.round(c.usage() * 100) + "% of those open to"
        + " applications), by state " + c.byState());
    if (!c.idleInTransaction().isEmpty()) {
      finding("idle in a transaction past " + request.threshold().toSeconds() + " s: " + c.idleInTransaction().size() + " sessions, the longest pid "
          + c.idleInTransaction().get(0).pid() + " for " + Math.round(c.idleInTransaction().get(0).stateSeconds()) + " s");
    }
    c.longRunning().stream().limit(5).forEach(s -> finding("running for " + Math.round(s.stateSeconds()) + " s: pid " + s.pid() + " "
        + s.user() + ": " + s.query()));
  }

  private void finding(String line) {
    findings.add(line);
  }

  /** How pgdr reaches PostgreSQL through the Service: the target's endpoint for it, else its cluster DNS name. */
  private PostgresServer serviceServer() {
    String endpoint = target.endpointOverrides().get(target.service());
    String host = endpoint == null ? target.service() + "." + target.namespace() + ".svc" : endpoint.substring(0, endpoint.lastIndexOf(':'));
    int port = endpoint == null ? target.postgres().port() : Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    return new PostgresServer(target.service(), host, port, target.postgres().database(), target.namespace(), target.postgres().credentials());
  }

  /** The recommended scenario changes the cluster: the incident starts it only after an approval. */
  private boolean childChanges() {
    return !TransientOutageWorkflow.SCENARIO.equals(recommendation.scenario());
  }

  private String childDoes() {
    return switch (recommendation.scenario()) {
      case ReplicaPromotionWorkflow.SCENARIO -> "fence the old primary, promote " + (candidate == null ? "the best replica" : candidate.pod())
          + ", repoint Service " + target.service() + ", restart " + deployments() + ", verify";
      case PatroniFailoverWorkflow.SCENARIO -> "Patroni's failover to the healthiest replica, repoint, restart " + deployments() + ", verify";
      case ConnectionPoolRecoveryWorkflow.SCENARIO -> "end the sessions idle in a transaction past " + request.threshold().toSeconds()
          + " s, verify, count again";
      case TransientOutageWorkflow.SCENARIO -> "look again every " + TransientOutageRequest.DEFAULT_CHECK.toSeconds() + " s, restart the pod"
          + " after an approval if it stays down, escalate to a failover past half the RTO";
      default -> throw new IllegalStateException("no child for " + recommendation.scenario());
    };
  }

  @Override
  protected boolean needsApproval(Plan plan) {
    return plan.steps().stream().anyMatch(PlannedStep::destructive);
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    boolean promotion = ReplicaPromotionWorkflow.SCENARIO.equals(recommendation.scenario()) && candidate != null;
    return new ApprovalRequest(RECOVER, "start " + recommendation.scenario() + " for " + target.name() + ": "
        + String.join("; ", recommendation.reasons()), plan.lines(), promotion ? candidate.pod() : target.name(),
        promotion ? Math.max(0, candidate.lostSeconds()) : 0, promotion && candidate.rpoExceeded(), target.approval().approvers(), now,
        approvalDeadline(now));
  }

  /** A promotion the target's policy would approve: the same conditions the promotion checks again on its own diagnosis. */
  @Override
  protected PolicyCheck policyCheck() {
    return ReplicaPromotionWorkflow.SCENARIO.equals(recommendation.scenario()) && candidate != null
        ? Candidates.promoteWithinRpo(candidate, servers, servicePod, fencedFirst, target.objectives().rpo(), incidentStart()) : null;
  }

  @Override
  protected String change() {
    if (!recommendation.startable()) {
      return "recommended " + (recommendation.scenario() == null ? "no scenario" : recommendation.scenario()) + ": "
          + String.join("; ", recommendation.reasons());
    }
    child = new ChildRecovery(recommendation.scenario(), target.recoveryWorkflowId());
    ApprovalDecision passed = ChildRecovery.passedOn(approvalGiven(), "incident " + Workflow.getInfo().getWorkflowId());
    RecoveryReport childReport = step(RECOVER, () -> {
      timeline.note("starting " + recommendation.scenario() + " as " + child.workflowId() + (passed == null ? "" : ", approved by " + passed.by()));
      return child.run(target, incidentStart(), request.requestedBy(), passed, "incident " + Workflow.getInfo().getWorkflowId(),
          request.idleLongerThan());
    });
    if (childChanges()) {
      ledger.handBack(RECOVER, null); // the child's own report says what it left
    }
    if (childReport.verification() != null) {
      recovered(childReport.verification());
    }
    return recommendation.scenario() + " " + child.workflowId() + " " + childReport.outcome() + ": " + childReport.message();
  }

  @Override
  protected RpoFigures rpo() {
    return child == null || child.report() == null ? null : child.report().rpo();
  }

  @Override
  protected IncidentOutcome outcome() {
    return recommendation == null && findings.isEmpty() ? null
        : new IncidentOutcome(request.cause(), alerts, findings, recommendation == null ? null : recommendation.scenario(),
            recommendation == null ? List.of() : recommendation.reasons(), child == null ? null : child.workflowId(),
            child == null ? null : child.report());
  }
}
