package io.pgdr.rejoin;

import io.pgdr.ports.DataVolume;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.StandbyStreaming;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Plan;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.Ports;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.StopRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class RejoinWorkflowImpl extends RecoveryWorkflow implements RejoinWorkflow {

  static final String DIAGNOSE = "diagnose";
  static final String HOLD = "hold";
  static final String FIND_DIVERGENCE = "find-divergence";
  static final String REJOIN = "rejoin";
  static final String START = "start";
  static final String CHECK_STREAMING = "check-streaming";
  static final String UNFENCE = "unfence";

  private Integer replicas;
  private PostgresServer primary;
  /** The servers to bring back, by pod, with what is known of each so far. */
  private final Map<String, RejoinOutcome.Rejoined> stale = new LinkedHashMap<>();
  private List<String> fenced = List.of();
  private int replicasNow;
  private final Map<String, DataVolume> volumes = new LinkedHashMap<>();
  private Map<String, PostgresServer> servers = Map.of();

  public RejoinWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport rejoin(RejoinRequest request) {
    replicas = request.replicas();
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected String workflowId() {
    return target.rejoinWorkflowId();
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new ArrayList<>(super.inputProblems());
    if (target.patroni() != null) {
      problems.add("patroni: Patroni rejoins its own members (pg_rewind when use_pg_rewind is on, else a new copy): pgdr leaves them to it");
    }
    if (replicas != null && replicas < 1) {
      problems.add("replicas: " + replicas + " is not a replica count");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    step(DIAGNOSE, () -> {
      ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
      ServerState live = diagnosis.livePrimary().orElseThrow(() -> new StopRun("no server answers as the primary: a rejoin needs one to"
          + " follow. Recover first (pgdr failover promote-replica, pgdr pitr, pgdr restore)"));
      primary = diagnosis.servers().get(live.pod());
      if (!live.pod().equals(diagnosis.cluster().servicePod())) {
        // a rejoined standby streams through the Service, which follows the primary
        throw new StopRun("Service " + target.service() + " selects " + (diagnosis.cluster().servicePod() == null ? "no single pod"
            : diagnosis.cluster().servicePod()) + ", not the primary " + live.pod() + ": point it at the primary first");
      }
      servers = diagnosis.servers();
      fenced = diagnosis.fencedPods();
      replicasNow = diagnosis.cluster().desiredReplicas();
      for (ServerState server : diagnosis.states()) {
        String why = server.pod().equals(live.pod()) ? null : whyStale(server);
        if (why != null) {
          stale.put(server.pod(), new RejoinOutcome.Rejoined(server.pod(), why, null, null, null));
        }
      }
      List<String> present = diagnosis.cluster().pods().stream().map(PodState::name).toList();
      for (int ordinal = replicasNow; replicas != null && ordinal < replicas; ordinal++) {
        String pod = target.statefulSet() + "-" + ordinal;
        if (!present.contains(pod)) {
          stale.put(pod, new RejoinOutcome.Rejoined(pod, "scaled away (StatefulSet " + target.statefulSet() + " at " + replicasNow
              + " of " + replicas + "): its data is from before the recovery", null, null, null));
        }
      }
      stale.values().forEach(s -> timeline.note(s.pod() + ": " + s.why()));
    });
    if (stale.isEmpty()) {
      return plan().note("every server follows " + primary.pod() + ": nothing to rejoin").build();
    }
    String pods = String.join(", ", stale.keySet());
    List<String> toUnfence = stale.keySet().stream().filter(fenced::contains).toList();
    Plan.Builder plan = plan()
        .changes(HOLD, PlannedStep.KUBERNETES, "hold " + pods + " stopped: listed in StatefulSet " + target.statefulSet() + " annotation "
            + KubernetesLabels.HELD_PODS + ", each running pod deleted so its server stops" + (scalesUp() ? "; then StatefulSet "
            + target.statefulSet() + " scaled from " + replicasNow + " to " + replicas + " (the pods come back held)" : ""),
            pods + (stale.size() == 1 ? " is" : " are") + " held stopped (StatefulSet " + target.statefulSet() + " annotation "
                + KubernetesLabels.HELD_PODS + "): take " + (stale.size() == 1 ? "it" : "them") + " out of it to let the server start as it was")
        .reads(FIND_DIVERGENCE, PlannedStep.POSTGRES + " + volume", "find where each one's history parted from " + primary.pod()
            + "'s (pg_rewind --dry-run, pg_waldump): what it wrote after the fork is counted; a server that crashed first finishes its"
            + " crash recovery, as it would on starting")
        .changes(REJOIN, PlannedStep.POSTGRES + " + volume", "make each a standby of " + primary.pod() + ": pg_rewind where it applies,"
            + " else a fresh pg_basebackup with the old data directory kept beside it; standby.signal and primary_conninfo"
            + " (application_name = the pod); what it wrote after the fork is discarded", null)
        .changes(START, PlannedStep.KUBERNETES, "let " + pods + " start: out of " + KubernetesLabels.HELD_PODS, null)
        .reads(CHECK_STREAMING, PlannedStep.POSTGRES, "check that " + primary.pod() + "'s pg_stat_replication shows each streaming");
    if (!toUnfence.isEmpty()) {
      plan.changes(UNFENCE, PlannedStep.KUBERNETES, "lift the fence of " + String.join(", ", toUnfence) + " (StatefulSet annotation "
          + KubernetesLabels.FENCED_PODS + "): a streaming standby cannot take writes", null);
    }
    return plan.build();
  }

  /** Why a server that is not the primary must be brought back; null when it follows the primary. */
  private String whyStale(ServerState server) {
    if (fenced.contains(server.pod())) {
      return "fenced by an earlier run" + (server.reachable() && !server.inRecovery() ? " (an old primary, read-only)" : "");
    }
    if (!server.reachable()) {
      return "does not answer (" + server.error() + ")";
    }
    if (!server.inRecovery()) {
      return "out of recovery beside the primary (an old primary)";
    }
    if (Boolean.FALSE.equals(server.walStreaming())) {
      return "a standby that does not stream (a timeline it cannot follow, or no primary_conninfo)";
    }
    return null;
  }

  private boolean scalesUp() {
    return replicas != null && replicas > replicasNow;
  }

  @Override
  protected boolean needsApproval(Plan plan) {
    return !stale.isEmpty();
  }

  @Override
  protected String noApprovalReason() {
    return "every server follows the primary: nothing to change";
  }

  /** A rejoin restores redundancy, not service: its duration is measured, nobody is paged. */
  @Override
  protected boolean pagesOnRtoBreach() {
    return false;
  }

  @Override
  protected String change() {
    if (stale.isEmpty()) {
      return "every server follows " + primary.pod() + ": nothing to rejoin";
    }
    StandbyReturn standby = new StandbyReturn(target, primary, timeline);
    step(HOLD, () -> {
      for (String pod : stale.keySet()) {
        volumes.put(pod, standby.hold(pod));
      }
      if (scalesUp()) {
        Ports.kubernetes("scale " + target.statefulSet() + " to " + replicas).startDatabase(target, replicas);
      }
    });
    step(FIND_DIVERGENCE, () -> stale.replaceAll((pod, server) -> server.with(standby.findDivergence(serverOf(pod), volumes.get(pod)))));
    ledger.handBack(HOLD, String.join(", ", stale.keySet()) + " held stopped (StatefulSet " + target.statefulSet() + " annotation "
        + KubernetesLabels.HELD_PODS + ") while their data directories are made standbys of " + primary.pod() + ": run pgdr rejoin again"
        + " rather than starting them as they are (a rewind cut short leaves a directory no server should start on)");
    step(REJOIN, () -> {
      for (String pod : stale.keySet()) {
        stale.put(pod, stale.get(pod).with(standby.rejoin(serverOf(pod), volumes.get(pod), stale.get(pod).divergence())));
      }
    });
    ledger.handBack(HOLD, String.join(", ", stale.keySet()) + " held stopped (StatefulSet " + target.statefulSet() + " annotation "
        + KubernetesLabels.HELD_PODS + "), already made standbys of " + primary.pod() + ": take them out of it to start them");
    step(START, () -> stale.keySet().forEach(standby::start));
    ledger.handBack(HOLD, null);
    step(CHECK_STREAMING, () -> stale.replaceAll((pod, server) -> server.with(standby.awaitStreaming(pod))));
    List<String> toUnfence = stale.keySet().stream().filter(fenced::contains).toList();
    if (!toUnfence.isEmpty()) {
      step(UNFENCE, () -> toUnfence.forEach(standby::unfence));
    }
    return String.join(", ", stale.keySet()) + (stale.size() == 1 ? " streams" : " stream") + " from " + primary.pod() + " as "
        + (stale.size() == 1 ? "a standby" : "standbys") + "; " + String.join("; ", stale.values().stream()
            .map(s -> s.pod() + ": " + s.divergence().discarded()).toList());
  }

  /**
   * The stale pod's server as the diagnosis saw it; for a pod scaled away, its name alone (what
   * the data directory's work needs: the pod names the standby to the primary).
   */
  private PostgresServer serverOf(String pod) {
    PostgresServer seen = servers.get(pod);
    return seen != null ? seen : new PostgresServer(pod, null, 0, target.postgres().database(), target.namespace(),
        target.postgres().credentials());
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    String pods = String.join(", ", stale.keySet());
    return new ApprovalRequest(REJOIN, "bring " + pods + " back as " + (stale.size() == 1 ? "a streaming standby" : "streaming standbys")
        + " of " + primary.pod() + ": what " + (stale.size() == 1 ? "it" : "they") + " wrote after " + primary.pod()
        + " took over is discarded (counted, and reported)", plan.lines(), pods, 0, false, target.approval().approvers(), now,
        approvalDeadline(now));
  }

  /** A rejoin loses nothing the primary has: what a stale server wrote after the fork was lost when the primary changed. */
  @Override
  protected RpoFigures rpo() {
    return null;
  }

  @Override
  protected RejoinOutcome outcome() {
    return primary == null ? null : new RejoinOutcome(primary.pod(), List.copyOf(stale.values()));
  }
}
