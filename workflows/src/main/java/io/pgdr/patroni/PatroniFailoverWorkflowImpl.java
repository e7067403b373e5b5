package io.pgdr.patroni;

import io.pgdr.failover.CandidateChoice;
import io.pgdr.ports.PatroniActivities;
import io.pgdr.ports.PatroniAnswer;
import io.pgdr.ports.PatroniMember;
import io.pgdr.ports.PatroniView;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Plan;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.Ports;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.StopRun;
import io.pgdr.target.Echo;
import io.pgdr.run.Timeline;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public class PatroniFailoverWorkflowImpl extends RecoveryWorkflow implements PatroniFailoverWorkflow {

  static final String DIAGNOSE = "diagnose";
  static final String CHOOSE = "choose-candidate";
  static final String RECHECK = "recheck";
  static final String FAILOVER = "failover";
  static final String SWITCHOVER = "switchover";
  static final String FOLLOW = "follow";
  static final String REPOINT = "repoint";
  static final String RESTART_APPS = "restart-apps";
  static final String VERIFY = "verify";
  static final String REJOIN = "rejoin";

  /** Patroni hands over within its TTL and a loop or two: minutes mean it will not. */
  static final Duration LEADER_WITHIN = Duration.ofMinutes(3);
  /** A demoted leader restarts as a replica in seconds; a rewind or a new clone takes longer, and is reported, not awaited. */
  static final Duration REJOIN_WITHIN = Duration.ofMinutes(2);

  static final String PAUSED = "Patroni is paused (maintenance mode): someone took the cluster out of Patroni's hands, and pgdr does"
      + " not move its leader then. Resume it (patronictl resume, or PATCH /config {\"pause\": false}) and run pgdr again";

  /** A Kubernetes pod name: what reaches Patroni's URLs and its JSON. */
  private static final String POD_NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

  private PatroniFailoverRequest request;
  private boolean switchover;
  private Map<String, PostgresServer> servers = Map.of();
  private Map<String, ServerState> states = Map.of();
  private String servicePod;
  private PatroniView seen;
  /** The member holding the leader key at the diagnosis; null when none did. */
  private String oldLeader;
  private CandidateChoice choice;
  private boolean repointService;
  private PatroniAnswer answer;
  private String newLeader;
  private String oldLeaderAfter;

  public PatroniFailoverWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport failover(PatroniFailoverRequest request) {
    this.request = request;
    this.switchover = Boolean.TRUE.equals(request.switchover());
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new ArrayList<>(super.inputProblems());
    if (target.patroni() == null) {
      problems.add("patroni: a Patroni failover needs Patroni's REST API (patroni.restUrl or patroni.endpoints, see docs/target.md);"
          + " a database without Patroni fails over with pgdr failover promote-replica");
    }
    if (request.candidate() != null && !request.candidate().matches(POD_NAME)) {
      problems.add("candidate: " + Echo.quoted(request.candidate()) + " is not a pod name");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    step(DIAGNOSE, this::inspect);
    if (seen.answeredBy() == null) {
      throw new StopRun("Patroni's REST API answers on no pod (" + seen.error() + "): check that Patroni runs and that patroni.restUrl"
          + " reaches it");
    }
    if (seen.paused()) {
      throw new StopRun(PAUSED);
    }
    Optional<PatroniMember> leader = seen.members().stream().filter(PatroniMember::leader).findFirst();
    if (leader.isPresent() && "standby_leader".equals(leader.get().role())) {
      throw new StopRun("this is a Patroni standby cluster (" + leader.get().name() + " is its standby_leader, replicating from"
          + " another cluster): its primary is elsewhere; fail over that cluster, or promote this one by hand (patronictl edit-config)");
    }
    oldLeader = leader.map(PatroniMember::name).orElse(null);
    boolean leaderServes = leader.isPresent() && "running".equals(leader.get().state())
        && Optional.ofNullable(states.get(oldLeader)).map(s -> s.reachable() && !s.inRecovery()).orElse(false);
    if (switchover && !leaderServes) {
      throw new StopRun("a switchover needs a healthy leader to hand over from, and " + (oldLeader == null ? "no member leads"
          : oldLeader + " does not serve as the primary (" + describe(oldLeader) + ")") + ": run without --switchover to fail over");
    }
    if (!switchover && leaderServes) {
      throw new StopRun(oldLeader + " leads and answers as the primary: there is nothing to fail over. For a planned handover run"
          + " with --switchover");
    }
    if (!switchover && seen.leaderServes()) {
      // pgdr's own path to the server is no evidence that the leader is down: Patroni on the leader says it serves
      throw new StopRun("Patroni on " + oldLeader + " says its server runs as the primary (GET /primary answers 200), but pgdr"
          + " cannot use it over SQL (" + describe(oldLeader) + "): that is no reason to fail over. Check pgdr's access to it"
          + " (postgres.endpoints, credentials); for a planned handover run with --switchover");
    }
    choice = step(CHOOSE, this::chooseCandidate);
    String candidate = choice.pod();
    String requestStep = switchover ? SWITCHOVER : FAILOVER;
    repointService = servicePod != null;
    String repointed = repointed();
    Plan.Builder plan = plan()
        .reads(RECHECK, PlannedStep.PATRONI, "GET /cluster again just before asking: " + (oldLeader == null ? "still no leader"
            : oldLeader + " still holds the leader key") + " and the cluster is not paused; otherwise stop, asking nothing")
        .changes(requestStep, PlannedStep.PATRONI, "POST /" + requestStep + " {" + (switchover ? "leader: " + oldLeader + ", " : "")
            + "candidate: " + candidate + "} to Patroni's REST API, asked once",
            "Check who leads (patronictl list, or GET /cluster): Patroni may still be moving the leader to " + candidate
                + (repointed == null ? "" : "; " + repointed + " still point where they did"))
        .reads(FOLLOW, PlannedStep.PATRONI, "follow GET /cluster until " + candidate + " leads with its server running (up to "
            + LEADER_WITHIN.toMinutes() + " min)");
    if (repointed != null) {
      plan.changes(REPOINT, PlannedStep.KUBERNETES, "repoint " + repointed + " to " + candidate, "Check that " + repointed
          + " point to " + candidate);
    } else {
      plan.note("Service " + target.service() + " selects by labels, not by pod name: Patroni's role label moves it");
    }
    plan.changes(RESTART_APPS, PlannedStep.KUBERNETES, "rollout restart " + deployments(), null)
        .reads(VERIFY, PlannedStep.POSTGRES, "verify " + candidate + ": not in recovery, write probe (a WAL message: nothing is"
            + " created), integrity tables " + target.verification().integrityTables());
    if (oldLeader != null) {
      plan.reads(REJOIN, PlannedStep.PATRONI, "wait up to " + REJOIN_WITHIN.toMinutes() + " min for " + oldLeader + " to rejoin as a"
          + " replica of " + candidate + " (Patroni rewinds or clones it), and report why if it does not");
    }
    return plan.build();
  }

  @Override
  protected String change() {
    String candidate = choice.pod();
    String requestStep = switchover ? SWITCHOVER : FAILOVER;
    boolean alreadyLeads = step(RECHECK, () -> recheck(candidate));
    if (!alreadyLeads) {
      answer = step(requestStep, () -> Ports.patroni("POST /" + requestStep + " to " + candidate)
          .requestFailover(target, pods(), candidate, switchover ? oldLeader : null));
      timeline.note("Patroni answered " + describe(answer));
      if (PatroniAnswer.OTHER.equals(answer.outcome())) {
        String other = answer.message().substring(answer.message().lastIndexOf("; ") + 2).replace(" leads", "");
        ledger.handBack(requestStep, other + " leads now, not " + candidate + ": check it (patronictl list) before anything else;"
            + (repointed() == null ? "" : " " + repointed() + " still point where they did"));
        throw new StopRun("Patroni made " + other + " the leader instead of " + candidate + " (it answered " + describe(answer)
            + "): pgdr goes no further with a leader the approver did not choose");
      }
    }
    PatroniView led = step(FOLLOW, () -> Ports.patroni("follow Patroni until " + candidate + " leads")
        .awaitMember(target, pods(), candidate, PatroniActivities.LEADER, LEADER_WITHIN));
    if (!led.leads(candidate)) {
      throw new StopRun(candidate + " did not become the leader within " + LEADER_WITHIN.toMinutes() + " min: " + led.describeLeader()
          + (answer == null ? "" : " (Patroni answered " + describe(answer) + ")") + ". pgdr asks nothing more: check patronictl list");
    }
    timeline.note(led.describeLeader());
    String repointed = repointed();
    if (!alreadyLeads) {
      // the leader moved: what is left of the request is what pgdr repoints next
      ledger.handBack(requestStep, repointed == null ? null : candidate + " leads now, but " + repointed + " still point where they"
          + " did: repoint them to " + candidate + " by hand");
    }
    if (repointed != null) {
      step(REPOINT, () -> repoint(candidate));
      if (!alreadyLeads) {
        ledger.handBack(requestStep, null);
      }
      ledger.handBack(REPOINT, null);
    }
    restartApps(RESTART_APPS);
    verifyPrimary(VERIFY, servers.get(candidate), "leads");
    newLeader = candidate;
    String done = candidate + " is the leader Patroni chose on pgdr's request and passed verification";
    if (alreadyLeads) {
      done = candidate + " was made leader by Patroni on its own before pgdr asked, and passed verification";
    }
    if (oldLeader == null) {
      return done;
    }
    try {
      PatroniView after = step(REJOIN, () -> Ports.patroni("follow Patroni until " + oldLeader + " rejoins")
          .awaitMember(target, pods(), oldLeader, PatroniActivities.REPLICA, REJOIN_WITHIN));
      oldLeaderAfter = after.follows(oldLeader) ? "rejoined as a replica of " + candidate : "not rejoined: " + whyNotRejoined(after);
    } catch (ActivityFailure e) {
      if (CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      // the database is recovered and verified: not knowing about the old leader is reported, not a failed run
      oldLeaderAfter = "not checked: " + Timeline.rootMessage(e);
    }
    timeline.note(oldLeader + " " + oldLeaderAfter);
    return done + "; " + oldLeader + " " + oldLeaderAfter;
  }

  private void inspect() {
    ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
    servers = diagnosis.servers();
    Map<String, ServerState> byPod = new LinkedHashMap<>();
    diagnosis.states().forEach(s -> byPod.put(s.pod(), s));
    states = byPod;
    servicePod = diagnosis.cluster().servicePod();
    seen = Ports.patroni("GET /cluster from Patroni").describePatroni(target, pods());
    if (seen.answeredBy() != null) {
      timeline.note("Patroni (asked " + seen.answeredBy() + "): " + seen.describeLeader() + (seen.paused() ? ", PAUSED" : "")
          + (seen.maximumLagOnFailover() == null ? "" : ", maximum_lag_on_failover " + seen.maximumLagOnFailover() + " bytes"));
      if (seen.lastSwitch() != null) {
        timeline.note("last switch: " + seen.lastSwitch());
      }
      seen.members().forEach(m -> timeline.note(m.name() + ": " + m.role() + ", " + m.state() + ", timeline " + m.timeline()
          + (m.lagBytes() == null ? "" : ", lag " + m.lagBytes() + " bytes") + (m.noFailover() ? ", nofailover" : "")
          + (m.noLoadBalance() ? ", noloadbalance" : "") + (m.pendingRestart() ? ", pending restart" : "")));
    }
  }

  private CandidateChoice chooseCandidate() {
    ServerState leaderState = oldLeader == null ? null : states.get(oldLeader);
    Instant lossAnchor = leaderState != null && leaderState.reachable() ? now() : incidentStart();
    PatroniCandidates.Choice chosen = PatroniCandidates.choose(seen, states, request.candidate(), leaderState, lossAnchor,
        target.objectives().rpo());
    if (chosen.chosen() == null) {
      boolean notAMember = request.candidate() != null && seen.member(request.candidate()).isEmpty();
      throw new StopRun((request.candidate() == null ? "no member qualifies as Patroni's candidate: " : "")
          + String.join("; ", chosen.refused()), notAMember);
    }
    CandidateChoice candidate = chosen.chosen();
    if (switchover) {
      // a switchover stops the leader cleanly, and a clean stop sends all its WAL to the standbys first
      candidate = new CandidateChoice(candidate.pod(), candidate.replayLsn(), 0, 0, "switchover: " + oldLeader + " stops cleanly and"
          + " sends its WAL first (" + candidate.pod() + " is " + candidate.lostBytes() + " bytes behind now)", false, false);
    }
    chosen.refused().forEach(timeline::note);
    timeline.note(candidate.pod() + " at " + candidate.replayLsn() + ", " + candidate.lossText() + " (" + candidate.basis() + ")");
    return candidate;
  }

  /**
   * Looks again just before asking: a leader that moved on its own while the run waited for its
   * approval is reported, never failed over a second time. Returns whether the candidate leads already.
   */
  private boolean recheck(String candidate) {
    PatroniView now = Ports.patroni("GET /cluster again before asking").describePatroni(target, pods());
    if (now.answeredBy() == null) {
      throw new StopRun("Patroni's REST API stopped answering (" + now.error() + "): nothing was asked of it");
    }
    if (now.paused()) {
      throw new StopRun(PAUSED + "; nothing was asked of it");
    }
    if (now.leads(candidate)) {
      timeline.note(candidate + " leads already: Patroni moved the leader on its own while the run waited; nothing asked");
      return true;
    }
    Optional<PatroniMember> leader = now.leader();
    if (leader.isPresent() && !leader.get().name().equals(oldLeader)) {
      throw new StopRun("the leader changed on its own while the run waited: " + leader.get().name() + " leads now, where the"
          + " diagnosis saw " + (oldLeader == null ? "no leader" : oldLeader) + ". pgdr asked nothing (never a second failover):"
          + " run it again to act on the cluster as it is");
    }
    if (!switchover && oldLeader != null && (now.leaderServes() || servesAgain(oldLeader))) {
      throw new StopRun(oldLeader + " serves as the primary again (it came back while the run waited): nothing was asked, a failover"
          + " would demote a healthy leader. For a planned handover run with --switchover");
    }
    if (switchover && leader.isEmpty()) {
      throw new StopRun(oldLeader + " no longer leads with its server running: nothing was asked; run without --switchover to fail over");
    }
    return false;
  }

  /** Whether {@code pod}'s server answers as a primary now (its SQL). */
  private boolean servesAgain(String pod) {
    PostgresServer server = servers.get(pod);
    if (server == null) {
      return false;
    }
    ServerState state = Ports.postgres("inspect " + pod + " again before asking").inspectServer(server);
    return state.reachable() && !state.inRecovery();
  }

  private void repoint(String candidate) {
    List<Promise<Void>> repoints = new ArrayList<>();
    if (repointService) {
      repoints.add(Async.procedure(Ports.kubernetes("repoint Service " + target.service() + " to " + candidate)::repointService,
          target, candidate));
    }
    if (target.configMap() != null) {
      repoints.add(Async.procedure(Ports.kubernetes("repoint ConfigMap " + target.configMap().name() + " to " + candidate)
          ::repointConfigMap, target, candidate));
    }
    Promise.allOf(repoints).get();
    timeline.note(repointed() + " -> " + candidate);
  }

  /** What pgdr repoints: the Service when it selects a pod by name (else Patroni's labels move it), and the ConfigMap; null for neither. */
  private String repointed() {
    List<String> objects = new ArrayList<>();
    if (repointService) {
      objects.add("Service " + target.service());
    }
    if (target.configMap() != null) {
      objects.add("ConfigMap " + target.configMap().name());
    }
    return objects.isEmpty() ? null : String.join(" and ", objects);
  }

  private String whyNotRejoined(PatroniView view) {
    if (view.answeredBy() == null) {
      return "Patroni's REST API did not answer (" + view.error() + ")";
    }
    return view.member(oldLeader)
        .map(m -> "Patroni lists it as " + m.role() + ", " + (m.state().isBlank() ? "no state" : m.state()) + ", timeline " + m.timeline()
            + " after " + REJOIN_WITHIN.toMinutes() + " min (" + view.describeLeader() + "): see its Patroni log")
        .orElse("it is not in Patroni's cluster, so no Patroni runs for it: start its pod, and Patroni rejoins it (pg_rewind or a new"
            + " clone)");
  }

  private String describe(String pod) {
    ServerState state = states.get(pod);
    return state == null ? "no server found for it" : !state.reachable() ? "unreachable: " + state.error()
        : state.inRecovery() ? "in recovery" : "out of recovery";
  }

  private static String describe(PatroniAnswer answer) {
    return answer.status() == 0 ? answer.message() : "HTTP " + answer.status() + ": " + answer.message();
  }

  /** The pods Patroni is asked through: the StatefulSet's, in order. */
  private List<String> pods() {
    return List.copyOf(servers.keySet());
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    String what = (switchover ? "switch over " + target.name() + " from " + oldLeader + " to " : "fail over " + target.name() + " to ")
        + choice.pod() + " through Patroni (" + choice.lossText() + (choice.rpoExceeded() ? ", ABOVE the RPO of " + target.objectives().rpo() : "")
        + ")";
    return new ApprovalRequest(switchover ? SWITCHOVER : FAILOVER, what, plan.lines(), choice.pod(), choice.lostSeconds(),
        choice.rpoExceeded(), target.approval().approvers(), now, approvalDeadline(now));
  }

  @Override
  protected RpoFigures rpo() {
    return choice == null ? null : new RpoFigures(choice.lostSeconds(), target.objectives().rpo().toSeconds(), choice.basis());
  }

  @Override
  protected PatroniFailoverOutcome outcome() {
    return choice == null ? null : new PatroniFailoverOutcome(switchover ? SWITCHOVER : FAILOVER, oldLeader, choice.pod(), newLeader,
        answer == null ? null : describe(answer), choice.lostBytes() < 0 ? null : choice.lostBytes(), oldLeaderAfter);
  }
}
