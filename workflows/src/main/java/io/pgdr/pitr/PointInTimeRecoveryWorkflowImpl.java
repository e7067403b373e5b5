package io.pgdr.pitr;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.RestoredBase;
import io.pgdr.ports.VerificationResult;
import io.pgdr.rejoin.RejoinOffer;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Lsn;
import io.pgdr.run.Plan;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.Ports;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.StopRun;
import io.pgdr.run.Timeline;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

public class PointInTimeRecoveryWorkflowImpl extends RecoveryWorkflow implements PointInTimeRecoveryWorkflow {

  static final String RESOLVE_TARGET = "resolve-target";
  static final String KEEP_VOLUME = "keep-volume";
  static final String STOP_WRITERS = "stop-writers";
  static final String STOP_DATABASE = "stop-database";
  static final String NEW_VOLUME = "new-volume";
  static final String RESTORE_BASE = "restore-base";
  static final String START_RECOVERY = "start-recovery";
  static final String RECOVER = "recover";
  static final String REPOINT = "repoint";
  static final String VERIFY = "verify";
  static final String RESTART_WRITERS = "restart-writers";
  static final String CHECK_WRITERS = "check-writers";
  static final String OFFER_REJOIN = "offer-rejoin";
  /** Runs since version 1 end by offering the rejoin of the pods left on the old timeline (its own run and approval). */
  private static final String OFFERS_REJOIN = "offer-rejoin";
  private boolean offersRejoin;
  private String requestedBy;
  /** How long the restarted pod may take to appear in the API before the run gives up on it. */
  private static final Duration POD_APPEARS_WITHIN = Duration.ofMinutes(10);
  /**
   * How often the API is asked for the restarted pod: the recovery's clock runs meanwhile (its
   * server waits for the WAL only this run fetches), so briefly; a read of the API is cheap.
   */
  private static final Duration POD_POLL = Duration.ofMillis(250);
  private static final int QUICK_POLLS = 40;
  private static final Duration POD_SLOW_POLL = Duration.ofSeconds(5);

  private PitrTarget recoveryTarget;
  private PitrResolution resolution;
  private String pod;
  private String servicePod;
  private List<String> otherPods = List.of();
  /** The pod's server as the diagnosis found it: its address stands when the target fixes it (postgres.endpoints). */
  private PostgresServer podServer;
  private List<KeptVolume> keptVolumes;
  private Map<String, Integer> writersStopped;
  private boolean writersRestarted;
  private int replicasBefore;
  private DataVolume volume;
  private RestoredBase base;
  private RecoveryReached reached;

  public PointInTimeRecoveryWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport recoverToPoint(PitrRequest request) {
    requestedBy = request.requestedBy();
    recoveryTarget = request.recoveryTarget();
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new ArrayList<>(super.inputProblems());
    if (target.backups() == null) {
      problems.add("backups: missing (bucket and prefix of the base backups and the WAL archive)");
    }
    if (recoveryTarget == null) {
      problems.add("recoveryTarget: missing (a time, lsn, xid or restore point name)");
    } else {
      problems.addAll(recoveryTarget.problems());
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    step("diagnose", this::inspect);
    resolution = step(RESOLVE_TARGET, () -> {
      PitrResolution served = Ports.pitr("find the base backup and WAL for " + recoveryTarget + " under " + target.backups().url())
          .resolveTarget(target.backups(), recoveryTarget);
      timeline.note("base backup " + served.baseLabel() + " (consistent by " + served.baseStopTime() + "), timeline " + served.timeline()
          + ", " + served.segments().size() + " WAL segments (" + served.segmentBytes() + " bytes) at least, "
          + served.following().size() + " more available");
      return served;
    });
    String sts = target.statefulSet();
    Plan.Builder plan = plan()
        .changes(KEEP_VOLUME, PlannedStep.KUBERNETES, "keep the volume of " + pod + ": its PersistentVolume gets reclaim policy Retain",
            "The volume of " + pod + " with the data as it was before the recovery is kept: delete it once the recovered data is right")
        .changes(STOP_WRITERS, PlannedStep.KUBERNETES, "stop writers: scale " + deployments() + " to 0, remembering their replicas",
            "Writers stay stopped (remembered on the Deployments as pgdr.io/replicas-before); bring them back once the database is right")
        .changes(STOP_DATABASE, PlannedStep.KUBERNETES, "stop the database: scale StatefulSet " + sts + " to 0 (runbook D.3), remembering its"
            + " replicas", "StatefulSet " + sts + " is stopped (replicas remembered as pgdr.io/replicas-before): scale it back once its data is right")
        .changes(NEW_VOLUME, PlannedStep.KUBERNETES, "give " + pod + " a new, empty volume: its claim is deleted and created again; the old"
            + " volume stays, Released", "The claim of " + pod + " is on a new volume; to go back to the old data, bind the claim to the kept volume")
        .changes(RESTORE_BASE, PlannedStep.OBJECT_STORE + " + volume", "stream base backup " + resolution.baseLabel() + " ("
            + resolution.baseBytes() + " bytes) into the new volume, checked against its backup_manifest; set recovery to " + recoveryTarget
            + " on timeline " + resolution.timeline() + ", then promote", null)
        .changes(START_RECOVERY, PlannedStep.KUBERNETES, "scale StatefulSet " + sts + " to 1: " + pod + " starts and recovers", null)
        .changes(RECOVER, PlannedStep.OBJECT_STORE + " + " + PlannedStep.POSTGRES, "fetch " + resolution.segments().size()
            + " WAL segments or more ahead of replay, follow recovery until " + pod + " promotes at the target", null);
    if (servicePod != null && !servicePod.equals(pod)) {
      plan.changes(REPOINT, PlannedStep.KUBERNETES, "point Service " + target.service() + " (now " + servicePod + ") and the ConfigMap at " + pod,
          null);
    }
    plan.reads(VERIFY, PlannedStep.POSTGRES, "verify: reached the target, out of recovery, write probe, integrity tables "
            + target.verification().integrityTables())
        .changes(RESTART_WRITERS, PlannedStep.KUBERNETES, "bring the writers back with their replicas", null);
    if (!target.deployments().isEmpty()) {
      plan.reads(CHECK_WRITERS, PlannedStep.KUBERNETES, "wait until " + deployments() + " are ready");
    }
    plan.note("Everything written after " + recoveryTarget + " is discarded from the live database ("
        + (servicePod != null && !servicePod.equals(pod) ? "the latest writes stay on the volume of " + servicePod + ", which the Service selects now;"
            + " its claim is not touched)" : "it stays on the kept volume of " + pod + ")")
        + (resolution.targetTime() != null ? ": " + span(resolution.targetTime(), incidentStart()) + " up to the incident start" : ""));
    // only standbys are offered: a Service that selected another pod means that pod holds the newest writes, whose
    // volume the recovery promised not to touch (a rewind would overwrite them)
    offersRejoin = !otherPods.isEmpty() && (servicePod == null || servicePod.equals(pod))
        && Workflow.getVersion(OFFERS_REJOIN, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (offersRejoin) {
      plan.reads(OFFER_REJOIN, PlannedStep.TEMPORAL, "offer the rejoin of " + String.join(", ", otherPods) + " as standbys of " + pod
          + " (StatefulSet " + sts + " scaled back with them held first): a run of its own (" + target.rejoinWorkflowId()
          + ") that asks its own approval");
    }
    if (!otherPods.isEmpty()) {
      plan.note(String.join(", ", otherPods) + " stay stopped after the recovery: they follow the old timeline and must be re-cloned from " + pod
          + (offersRejoin ? " (the rejoin offered last does it, once approved)" : ""));
    }
    return plan.build();
  }

  /** The pod to recover: the StatefulSet's first, the one that comes back when it is scaled to 1. */
  private void inspect() {
    ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
    ClusterState cluster = diagnosis.cluster();
    pod = target.statefulSet() + "-0";
    servicePod = cluster.servicePod();
    otherPods = cluster.pods().stream().map(PodState::name).filter(name -> !name.equals(pod)).sorted().toList();
    podServer = diagnosis.servers().get(pod);
    timeline.note("recovering into " + pod + "; " + (otherPods.isEmpty() ? "no other pods" : String.join(", ", otherPods) + " stay stopped"));
  }

  @Override
  protected String change() {
    keptVolumes = step(KEEP_VOLUME, () -> Ports.kubernetes("keep the volume of " + pod + ": reclaim policy Retain").keepVolumes(target, pod, runId()));
    ledger.handBack(KEEP_VOLUME, "The volume of " + pod + " with the data before the recovery is kept: "
        + keptVolumes.stream().map(KeptVolume::toString).collect(Collectors.joining("; ")) + "; delete it once the recovered data is right");
    step(STOP_WRITERS, () -> {
      writersStopped = Ports.kubernetes("stop writers: scale " + deployments() + " to 0").stopWriters(target, runId());
      timeline.note(writersStopped.isEmpty() ? "the target names no Deployments" : "scaled to 0: " + replicas(writersStopped));
    });
    ledger.handBack(STOP_WRITERS, "Writers stay stopped (" + replicas(writersStopped) + ", remembered on the Deployments as"
        + " pgdr.io/replicas-before); bring them back once the database is right");
    phase("stopping");
    replicasBefore = step(STOP_DATABASE, () -> Ports.kubernetes("stop the database: scale " + target.statefulSet() + " to 0")
        .stopDatabase(target, runId()));
    ledger.handBack(STOP_DATABASE, "StatefulSet " + target.statefulSet() + " is at 0 (was " + replicasBefore + "): scale it back once its"
        + " data is right");
    volume = step(NEW_VOLUME, () -> Ports.kubernetes("give " + pod + " a new volume").freshVolume(target, pod, keptVolumes, runId()));
    ledger.handBack(NEW_VOLUME, "The claim " + volume.claim() + " of " + pod + " is on the new volume " + volume.describe()
        + "; the data before the recovery is on the kept volume");
    phase("restoring");
    base = step(RESTORE_BASE, () -> Ports.pitr("restore base backup " + resolution.baseLabel() + " into " + volume.describe())
        .restoreBase(volume, target.backups(), resolution, recoveryTarget, runId()));
    timeline.note(base.files() + " files, " + base.bytes() + " bytes, " + base.checkedFiles() + " checked against the manifest");
    step(START_RECOVERY, () -> Ports.kubernetes("scale " + target.statefulSet() + " to 1").startDatabase(target, 1));
    ledger.handBack(STOP_DATABASE, replicasBefore > 1 ? "StatefulSet " + target.statefulSet() + " runs 1 of its " + replicasBefore
        + " replicas: the data of " + String.join(", ", otherPods) + " is on the old timeline; re-clone from " + pod + ", then scale back to "
        + replicasBefore : null);
    phase("recovering");
    PostgresServer server = step(RECOVER, () -> {
      // a fixed endpoint does not move with the pod: the WAL can flow while the pod is still being created
      PostgresServer restarted = podServer != null && target.postgres().endpoints().containsKey(pod) ? podServer : awaitPod();
      try {
        reached = Ports.pitr("feed WAL to " + pod + " and follow its recovery to " + recoveryTarget)
            .recoverToTarget(volume, restarted, target.backups(), resolution, recoveryTarget);
      } catch (ActivityFailure e) {
        throw new StopRun(pod + " did not recover to " + recoveryTarget + ": " + Timeline.rootMessage(e) + ". The data before the"
            + " recovery is on the kept volume");
      }
      timeline.note("promoted at " + reached.replayedLsn() + (reached.lastCommitTime() == null ? "" : " (last commit "
          + reached.lastCommitTime() + ")") + " on timeline " + reached.timeline() + "; " + reached.segmentsFetched() + " segments fetched"
          + (reached.segmentsReused() > 0 ? ", " + reached.segmentsReused() + " kept from an earlier attempt" : ""));
      return restarted;
    });
    if (servicePod != null && !servicePod.equals(pod)) {
      step(REPOINT, () -> {
        Ports.kubernetes("point Service " + target.service() + " at " + pod).repointService(target, pod);
        Ports.kubernetes("point the ConfigMap at " + pod).repointConfigMap(target, pod);
      });
    }
    phase("verifying");
    VerificationResult verification = step(VERIFY, () -> {
      VerificationResult checked = Ports.postgres("verify " + target.postgres().database() + " on " + pod)
          .verifyPrimary(server, target.verification().integrityTables(), runId());
      List<String> problems = new ArrayList<>(checked.problems());
      if (resolution.targetTime() != null && reached.lastCommitTime() != null && reached.lastCommitTime().isAfter(resolution.targetTime())) {
        problems.add("the last replayed commit (" + reached.lastCommitTime() + ") is after the target " + resolution.targetTime());
      }
      String lsn = recoveryTarget.lsn();
      if (lsn != null && !lsn.isBlank() && reached.replayedLsn() != null && !recoveryTarget.exclusive()
          && Lsn.parse(reached.replayedLsn()) < Lsn.parse(lsn.strip())) {
        problems.add("recovery replayed up to " + reached.replayedLsn() + ", short of the target location " + lsn);
      }
      return problems.equals(checked.problems()) ? checked : new VerificationResult(checked.pod(), checked.primary(), checked.probeWritten(),
          checked.rowCounts(), checked.connections(), problems);
    });
    recovered(verification);
    if (!verification.passed()) {
      throw new StopRun(pod + " recovered but did not pass verification: " + String.join("; ", verification.problems()));
    }
    ledger.handBack(STOP_WRITERS, "Writers stay stopped, and the database is recovered to " + recoveryTarget + " and verified: scale them"
        + " back now: " + replicas(writersStopped));
    step(RESTART_WRITERS, () -> {
      Ports.kubernetes("bring writers back: " + replicas(writersStopped)).restartWriters(target, writersStopped);
      writersRestarted = true;
    });
    ledger.handedBack(STOP_WRITERS);
    if (!writersStopped.isEmpty()) {
      step(CHECK_WRITERS, () -> {
        try {
          Ports.kubernetes("wait for " + replicas(writersStopped) + " to be ready").awaitWritersReady(target, writersStopped);
        } catch (ActivityFailure e) {
          throw new StopRun("the database is recovered and verified and the writers were scaled back, but they are not all ready: "
              + Timeline.rootMessage(e));
        }
      });
    }
    if (offersRejoin) {
      step(OFFER_REJOIN, () -> timeline.note(RejoinOffer.offer(target, requestedBy, SCENARIO + " " + Workflow.getInfo().getWorkflowId(),
          Math.max(replicasBefore, 1 + otherPods.size()))));
    }
    return target.name() + " recovered to " + recoveryTarget + " (timeline " + reached.timeline() + ") and verified";
  }

  /** The restarted pod's server, once the API lists the pod with an address (a new pod gets a new IP). */
  private PostgresServer awaitPod() {
    Instant giveUp = now().plus(POD_APPEARS_WITHIN);
    int polls = 0;
    while (true) {
      ClusterState cluster = Ports.kubernetes("find " + pod).describeCluster(target);
      PodState found = cluster.pods().stream().filter(p -> p.name().equals(pod) && p.host() != null).findFirst().orElse(null);
      if (found != null) {
        return ClusterDiagnosis.serverOf(target, found);
      }
      if (now().isAfter(giveUp)) {
        throw new StopRun(pod + " did not appear within " + POD_APPEARS_WITHIN.toMinutes() + " min of scaling " + target.statefulSet() + " to 1");
      }
      // quick while a pod normally appears, then slower: a pod that takes minutes would fill the history
      Workflow.sleep(polls++ < QUICK_POLLS ? POD_POLL : POD_SLOW_POLL);
    }
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    RpoFigures rpo = rpo();
    boolean exceeded = rpo != null && rpo.lostSeconds() > rpo.objectiveSeconds();
    Instant now = now();
    return new ApprovalRequest("recover", "recover " + target.name() + " to " + recoveryTarget + " from base backup " + resolution.baseLabel()
        + " + " + resolution.segments().size() + " WAL segments (" + resolution.segmentBytes() + " bytes): "
        + (rpo == null ? "everything written after the target is discarded" : span(resolution.targetTime(), incidentStart())
            + " of writes discarded" + (exceeded ? ", ABOVE the RPO of " + target.objectives().rpo() : "")),
        plan.lines(), pod, rpo == null ? 0 : rpo.lostSeconds(), exceeded, target.approval().approvers(), now, approvalDeadline(now));
  }

  /** RPO of a point-in-time recovery: what was written between the target and the incident, the operator's choice. */
  @Override
  protected RpoFigures rpo() {
    Instant to = resolution != null && resolution.targetTime() != null ? resolution.targetTime()
        : reached != null ? reached.lastCommitTime() : null;
    if (to == null) {
      return null;
    }
    double lost = Math.max(0, Duration.between(to, incidentStart()).toMillis() / 1000.0);
    return new RpoFigures(lost, target.objectives().rpo().toSeconds(), "writes after the recovery target " + to + " are discarded");
  }

  @Override
  protected PitrOutcome outcome() {
    if (resolution == null) {
      return null;
    }
    return new PitrOutcome(recoveryTarget.toString(), resolution.timeline(), resolution.baseLabel(), resolution.baseStopTime(),
        resolution.segments().size(), resolution.segmentBytes(), writersStopped, writersRestarted, volume, keptVolumes, base, reached,
        replicasBefore > 1 ? otherPods : List.of());
  }

  private static String span(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? "nothing" : d.toString().substring(2).toLowerCase();
  }
}
