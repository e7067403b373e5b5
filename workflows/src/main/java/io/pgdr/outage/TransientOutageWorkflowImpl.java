package io.pgdr.outage;

import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.incident.ChildRecovery;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Plan;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.Ports;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.StopRun;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public class TransientOutageWorkflowImpl extends RecoveryWorkflow implements TransientOutageWorkflow {

  static final String DIAGNOSE = "diagnose";
  static final String WATCH = "watch";
  static final String RESTART = "restart-pod";
  static final String VERIFY = "verify";
  static final String ESCALATE = "escalate";

  private TransientOutageRequest request;
  /** The primary's pod: the one the Service selects, else the one last seen as the primary. */
  private String pod;
  private PostgresServer server;
  private boolean upAtStart;
  private int checks;
  private Integer backAfterChecks;
  private boolean restarted;
  private String lastUsage;
  private ChildRecovery escalation;

  public TransientOutageWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport waitForRecovery(TransientOutageRequest request) {
    this.request = request;
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new ArrayList<>(super.inputProblems());
    if (request.check().isNegative() || request.check().isZero()) {
      problems.add("checkEvery: " + request.check() + " is not a positive duration");
    }
    if (!(request.escalation() > 0 && request.escalation() < 1)) {
      problems.add("escalateAt: " + request.escalation() + " is not a share of the RTO below it all (above 0, below 1): a failover"
          + " asked for at the RTO's end could never be approved in time");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    step(DIAGNOSE, () -> {
      ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
      Optional<ServerState> live = diagnosis.livePrimary();
      pod = diagnosis.cluster().servicePod() != null ? diagnosis.cluster().servicePod() : live.map(ServerState::pod).orElse(null);
      if (pod == null) {
        throw new StopRun("pgdr cannot tell which pod is the primary: Service " + target.service() + " selects no pod by name and no"
            + " server answers as the primary. Name the failover yourself (pgdr failover promote-replica)");
      }
      server = diagnosis.servers().get(pod);
      upAtStart = live.filter(s -> s.pod().equals(pod)).isPresent();
    });
    Plan.Builder plan = plan();
    if (upAtStart) {
      return plan.reads(VERIFY, PlannedStep.POSTGRES, "verify " + pod + ", which answers as the primary already: write probe (a WAL"
          + " message: nothing is created), integrity tables " + target.verification().integrityTables()).build();
    }
    return plan
        .reads(WATCH, PlannedStep.KUBERNETES + " + " + PlannedStep.POSTGRES, "look at pod " + pod + " every "
            + request.check().toSeconds() + " s (durable timers): phase, readiness, restarts, its server over SQL, resource use from"
            + " the metrics API; until it answers as the primary")
        .changes(RESTART, PlannedStep.KUBERNETES, "if " + pod + " is still down at " + restartAt() + ": ask, then delete pod " + pod
            + " so StatefulSet " + target.statefulSet() + " starts it again on its volumes (runbook 004 §1.3); asked when needed", null)
        .reads(VERIFY, PlannedStep.POSTGRES, "once " + pod + " answers: write probe (a WAL message: nothing is created), integrity"
            + " tables " + target.verification().integrityTables())
        .changes(ESCALATE, "temporal", "if " + pod + " is still down at " + escalateAt() + " (" + Math.round(request.escalation() * 100)
            + "% of the RTO): ask, then start " + failoverScenario() + " as run " + escalationId() + "; asked when needed",
            "Read the report of " + escalationId() + " (pgdr status " + escalationId() + "): it says what it changed and what is left")
        .build();
  }

  /** Nothing changes unless the database stays down: each change asks for its own approval when it is needed. */
  @Override
  protected boolean needsApproval(Plan plan) {
    return false;
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    return restartRequest();
  }

  @Override
  protected String change() {
    if (!upAtStart) {
      String escalated = watch();
      if (escalated != null) {
        return escalated;
      }
    }
    verifyPrimary(VERIFY, server, "came back");
    return upAtStart ? pod + " answered as the primary already and passed verification"
        : pod + " answers as the primary again after " + checks + (checks == 1 ? " check" : " checks")
            + (restarted ? " and a restart pgdr made" : "") + ", and passed verification";
  }

  /**
   * Looks again on each timer until the pod answers; asks to restart it once part of the wait has
   * passed, and to fail over at the escalation point. Returns what the failover achieved when it
   * ran, null when the pod came back.
   */
  private String watch() {
    boolean askedRestart = false;
    boolean askedEscalation = false;
    boolean escalationRejected = false;
    Instant rtoEnd = incidentStart().plus(target.objectives().rto());
    while (true) {
      checks++;
      ServerState state = step(WATCH, this::check);
      if (state.reachable() && !state.inRecovery()) {
        backAfterChecks = checks;
        withdraw(pod + " answers again");
        return null;
      }
      boolean restartedNow = false;
      ApprovalRecord decision = answer();
      if (decision != null) {
        if (ESCALATE.equals(decision.step())) {
          if (decision.approved()) {
            return failOver(decision);
          }
          escalationRejected = true;
        } else if (decision.approved()) {
          restartedNow = restart();
        }
      }
      Instant now = now();
      if (!askedRestart && !askedEscalation && !now.isBefore(restartAt())) {
        askedRestart = true;
        // the run's --yes covers the restart, never the failover: that is asked of a person every time
        ApprovalRecord pre = ask(restartRequest(), true);
        if (pre != null) {
          restartedNow = restart();
        }
      }
      // a pod restarted just now gets at least one look before the failover is asked for
      if (!askedEscalation && !restartedNow && !now.isBefore(escalateAt())) {
        askedEscalation = true;
        withdraw("the failover is asked for instead");
        escalate(pod + " is still down after " + checks + " checks, at " + Math.round(request.escalation() * 100)
            + "% of the RTO: pgdr asks to fail over to " + failoverScenario());
        ask(escalationRequest(), false);
      }
      if (!now.isBefore(rtoEnd)) {
        withdraw("the RTO has passed");
        throw new StopRun(pod + " is still down at the end of the RTO (" + target.objectives().rto() + ") after " + checks + " checks"
            + (escalationRejected ? "; the failover was rejected" : askedEscalation ? "; nobody approved the failover" : ""));
      }
      Promise<Void> next = Workflow.newTimer(request.check(), TimerOptions.newBuilder().setSummary("next look at " + pod).build());
      Workflow.await(() -> next.isCompleted() || answered());
    }
  }

  /** One look: the pod as Kubernetes has it, its server over SQL, its resource use; all noted on the timeline. */
  private ServerState check() {
    ClusterState cluster = Ports.kubernetes("check " + checks + ": pod " + pod).describeCluster(target);
    PodState podState = cluster.pods().stream().filter(p -> p.name().equals(pod)).findFirst().orElse(null);
    if (podState == null) {
      timeline.note("check " + checks + ": pod " + pod + " does not exist (StatefulSet " + target.statefulSet() + " recreates it)");
      return ServerState.unreachable(pod, null, "pod does not exist");
    }
    server = ClusterDiagnosis.serverOf(target, podState); // a recreated pod has a new address
    ServerState state = Ports.postgres("check " + checks + ": " + pod + " over SQL").inspectServer(server);
    lastUsage = "Running".equals(podState.phase()) ? Ports.kubernetes("check " + checks + ": resource use of " + pod).podUsage(target, pod)
        : "no resource use: pod " + podState.phase();
    timeline.note("check " + checks + ": pod " + pod + " " + podState.phase() + (podState.ready() ? ", ready" : ", not ready") + ", "
        + podState.restarts() + " restarts; server " + (!state.reachable() ? "does not answer (" + state.error() + ")"
            : state.inRecovery() ? "answers as a standby" : "answers as the primary") + "; " + lastUsage);
    return state;
  }

  /** Restarts the pod (the step that was approved); true when this run deleted it. */
  private boolean restart() {
    boolean deleted = step(RESTART, () -> {
      boolean done = Ports.kubernetes("restart pod " + pod).restartPod(target, pod, runId());
      timeline.note(done ? "pod " + pod + " deleted: StatefulSet " + target.statefulSet() + " starts it again on its volumes"
          : "pod " + pod + " was already gone: StatefulSet " + target.statefulSet() + " is recreating it");
      return done;
    });
    restarted = restarted || deleted;
    return deleted;
  }

  private String failOver(ApprovalRecord approval) {
    escalation = new ChildRecovery(failoverScenario(), escalationId());
    RecoveryReport report = step(ESCALATE, () -> escalation.run(target, incidentStart(), request.requestedBy(),
        ChildRecovery.passedOn(approval, "run " + Workflow.getInfo().getWorkflowId()), "run " + Workflow.getInfo().getWorkflowId()));
    ledger.handBack(ESCALATE, null); // the failover's own report says what it left
    if (report.verification() != null) {
      recovered(report.verification());
    }
    return pod + " stayed down; " + failoverScenario() + " " + escalationId() + " " + report.outcome() + ": " + report.message();
  }

  private ApprovalRequest restartRequest() {
    Instant now = now();
    return new ApprovalRequest(RESTART, "restart pod " + pod + " of " + target.name() + ": it has not answered for " + checks
        + " checks since " + incidentStart(), List.of("delete pod " + pod + " so StatefulSet " + target.statefulSet()
            + " starts it again on its volumes (runbook 004 §1.3)"), pod, 0, false, target.approval().approvers(), now, escalateAt());
  }

  private ApprovalRequest escalationRequest() {
    Instant now = now();
    return new ApprovalRequest(ESCALATE, "fail over " + target.name() + ": " + pod + " is still down at "
        + Math.round(request.escalation() * 100) + "% of the RTO", List.of("start " + failoverScenario() + " as run " + escalationId()
            + ": it diagnoses, chooses the replica and shows the estimated loss; this approval is passed on to it and checked"
            + " against the RPO there"), pod, 0, false, target.approval().approvers(), now, incidentStart().plus(target.objectives().rto()));
  }

  private String failoverScenario() {
    return target.patroni() != null ? PatroniFailoverWorkflow.SCENARIO : ReplicaPromotionWorkflow.SCENARIO;
  }

  /** The failover's workflow ID: under this run's, which holds the database's one-recovery-at-a-time guard. */
  private String escalationId() {
    return Workflow.getInfo().getWorkflowId() + "/escalation";
  }

  /** When to ask for a restart: halfway to the escalation, after Kubernetes had its own chance. */
  private Instant restartAt() {
    return incidentStart().plus(share(request.escalation() / 2));
  }

  private Instant escalateAt() {
    return incidentStart().plus(share(request.escalation()));
  }

  private Duration share(double fraction) {
    return Duration.ofMillis(Math.round(target.objectives().rto().toMillis() * fraction));
  }

  @Override
  protected RpoFigures rpo() {
    if (escalation != null) {
      return escalation.report() == null ? null : escalation.report().rpo();
    }
    return backAfterChecks == null && !upAtStart ? null : new RpoFigures(0, target.objectives().rpo().toSeconds(),
        "the primary came back on its own data: nothing committed is lost");
  }

  @Override
  protected TransientOutageOutcome outcome() {
    return pod == null ? null : new TransientOutageOutcome(pod, checks, backAfterChecks, restarted, lastUsage,
        escalation == null ? null : escalation.workflowId(), escalation == null ? null : escalation.report());
  }
}
