package io.pgdr.drill;

import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.ScratchInstanceName;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.rejoin.StandbyReturn;
import io.pgdr.restore.BackupChoice;
import io.pgdr.restore.DatabaseNames;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
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

/**
 * The restore rehearsal: the latest valid backup restored into a scratch database, in a scratch
 * StatefulSet of its own beside the target's (the target's {@code drill.scratch}, by default) or on
 * the primary beside the live database, which it never touches; checked against the backup's
 * manifest and the target's integrity tables; the scratch StatefulSet and its claim deleted, or the
 * scratch database dropped, also when a step fails or the drill is cancelled (a compensation, run
 * in a scope the cancellation cannot reach). The drill passes when the copy was verified within
 * the RTO and the backup was within the RPO.
 */
public class FailoverDrillWorkflowImpl extends RecoveryWorkflow implements FailoverDrillWorkflow {

  static final String CHECK_NO_RECOVERY = "check-no-recovery";
  static final String READINESS = "readiness";
  /** Since version 1 a drill runs the readiness check first and keeps it in its report. */
  static final String READINESS_CHANGE = "drill-readiness";
  /** Since version 1 a rehearsal restores into a scratch StatefulSet of its own when the target's {@code drill.scratch} says so. */
  static final String SCRATCH_INSTANCE_CHANGE = "drill-scratch-instance";
  static final String SCRATCH_INSTANCE = "scratch-instance";
  static final String RESTORE = "restore";
  static final String CHECK_RESTORE = "check-restore";
  static final String VERIFY = "verify";
  static final String CLEAN_UP = "clean-up";
  // a switchover's steps
  static final String MARKERS = "markers";
  static final String SWITCH_OVER = "switch-over";
  static final String RESTART_APPS = "restart-apps";
  static final String VERIFY_SWITCH = "verify-switch";
  static final String REJOIN_OLD = "rejoin-old";
  static final String MARKERS_AGAIN = "markers-again";
  static final String SWITCH_BACK = "switch-back";
  static final String RESTART_APPS_AGAIN = "restart-apps-again";
  static final String VERIFY_BACK = "verify-back";
  static final String REJOIN_BACK = "rejoin-back";
  static final String COUNT_MARKERS = "count-markers";
  /** Marker rows written before each switch: one transaction each, as an application writes. */
  static final int MARKERS_PER_SWITCH = 100;

  private String mode;
  private PostgresServer server;
  private BackupEntry backup;
  private String scratch;
  /** The scratch StatefulSet a rehearsal restores into; null when it restores into a scratch database on the primary. */
  private String instance;
  /** Where the rehearsal's copy lives: the scratch StatefulSet's server, or the primary. */
  private PostgresServer copyServer;
  private RestoreCheck check;
  private Double verifiedAfter;
  private List<String> verdicts = List.of();
  private Boolean passed;
  private ReadinessReport readiness;
  private boolean scratchDropped;
  /** A switchover's standby, the primary for a while. */
  private PostgresServer standby;
  /** The primary now: where a switchover's scratch database is dropped. */
  private PostgresServer current;
  private final List<SwitchMeasure> switches = new ArrayList<>();
  private Long markersFound;

  public FailoverDrillWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport drill(FailoverDrillRequest request) {
    mode = request.modeOrDefault();
    boolean instanceWanted = !switchover() && request.target() != null && request.target().drill().scratchInstance();
    if (instanceWanted && Workflow.getVersion(SCRATCH_INSTANCE_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
      instance = request.target().statefulSet() == null ? null
          : ScratchInstanceName.of(request.target().statefulSet(), DatabaseNames.runTag(Workflow.getInfo().getRunId()));
    }
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected String workflowId() {
    return target.drillWorkflowId();
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new ArrayList<>(super.inputProblems());
    if (!DrillModes.ALL.contains(mode)) {
      problems.add("mode: '" + mode + "' is not a drill; the drills are " + String.join(", ", DrillModes.ALL));
    }
    if (!switchover() && target.backups() == null) {
      problems.add("backups: missing (a restore rehearsal restores the database's latest backup)");
    }
    if (instance != null && target.postgres() != null && target.postgres().credentials() != null
        && (target.postgres().credentials().secret() == null || target.postgres().credentials().secret().isBlank())) {
      problems.add("drill.scratch: a scratch StatefulSet takes its credentials from postgres.credentials.secret, and this target names"
          + " environment variables; set drill.scratch: database to rehearse in a scratch database on the primary");
    }
    if (switchover() && target.patroni() != null) {
      problems.add("patroni: Patroni switches over its own cluster (pgdr failover patroni --switchover)");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    String recovery = step(CHECK_NO_RECOVERY, () -> Ports.runs("is a recovery of " + target.name() + " running?")
        .openRun(target.recoveryWorkflowId()));
    if (recovery != null) {
      throw new StopRun("a recovery of " + target.namespace() + "/" + target.statefulSet() + " is running (" + target.recoveryWorkflowId()
          + "): a drill never competes with a recovery. Drill again once it has ended");
    }
    if (Workflow.getVersion(READINESS_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
      readiness = step(READINESS, () -> {
        try {
          ReadinessReport checked = Ports.readiness("would a recovery of " + target.name() + " work now?").checkReadiness(target);
          timeline.note(checked.summary());
          return checked;
        } catch (ActivityFailure e) {
          // the check informs the drill; it is not the drill
          timeline.note("the readiness check did not finish: " + Timeline.rootMessage(e));
          return null;
        }
      });
    }
    server = step("diagnose", () -> {
      ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
      ServerState live = diagnosis.livePrimary().orElseThrow(() -> new StopRun("no primary of " + target.name()
          + " answers (see the diagnose step): a drill needs a healthy database. Recover it first (pgdr incident)"));
      if (switchover()) {
        standby = streamingStandby(diagnosis, live);
        timeline.note("switching from " + live.pod() + " to " + standby.pod() + " and back");
      } else {
        timeline.note("rehearsing on " + live.pod() + " (server " + live.serverVersion() + ")");
      }
      return diagnosis.servers().get(live.pod());
    });
    if (switchover()) {
      scratch = DatabaseNames.drillScratch(target.postgres().database(), runId());
      return switchoverPlan();
    }
    backup = step("choose-backup", () -> BackupChoice.choose(target, null, timeline));
    scratch = DatabaseNames.drillScratch(target.postgres().database(), runId());
    if (instance != null) {
      return instancePlan();
    }
    return plan()
        .changes(RESTORE, PlannedStep.POSTGRES + " + " + PlannedStep.OBJECT_STORE, "restore " + backup.key() + " into the scratch database "
            + scratch + " on " + server.pod() + ", beside " + target.postgres().database() + ", which is not touched",
            "The drill's scratch database " + scratch + " is left on " + server.pod() + ": drop it (pgdr never dropped it)")
        .reads(CHECK_RESTORE, PlannedStep.POSTGRES, "check " + scratch + "'s row counts against the backup's manifest")
        .reads(VERIFY, PlannedStep.POSTGRES, "verify " + scratch + ": write probe (a WAL message: nothing is created), integrity tables "
            + target.verification().integrityTables())
        .changes(CLEAN_UP, PlannedStep.POSTGRES, "drop the scratch database " + scratch + " (only a drill's scratch database can be dropped)", null)
        .note("a rehearsal changes nothing the application uses: it runs without an approval")
        .build();
  }

  private Plan instancePlan() {
    String ns = target.namespace();
    return plan()
        .changes(SCRATCH_INSTANCE, PlannedStep.KUBERNETES, "create StatefulSet " + instance + " in " + ns + ": one pod on a new claim"
            + " from " + target.statefulSet() + "'s volumeClaimTemplate, with the image of its PostgreSQL container and the credentials"
            + " Secret " + target.postgres().credentials().secret() + "; none of its labels, so no Service of the application selects it;"
            + " " + server.pod() + "'s role names made on it (NOLOGIN, no password), which the backup's owners and grants name",
            "The drill's scratch StatefulSet " + instance + " and its claim are left in " + ns + ": kubectl -n " + ns
            + " delete statefulset " + instance + "; kubectl -n " + ns + " delete pvc -l app.kubernetes.io/instance=" + instance)
        .changes(RESTORE, PlannedStep.POSTGRES + " + " + PlannedStep.OBJECT_STORE, "restore " + backup.key() + " into " + scratch
            + " on the scratch server " + ScratchInstanceName.pod(instance) + "; the application's servers are not touched", null)
        .reads(CHECK_RESTORE, PlannedStep.POSTGRES, "check " + scratch + "'s row counts against the backup's manifest")
        .reads(VERIFY, PlannedStep.POSTGRES, "verify " + scratch + ": write probe (a WAL message: nothing is created), integrity tables "
            + target.verification().integrityTables())
        .changes(CLEAN_UP, PlannedStep.KUBERNETES, "delete StatefulSet " + instance + ", its pod and its claim (only a drill's own"
            + " scratch StatefulSet can be deleted)", null)
        .note("a rehearsal changes nothing the application uses: it runs without an approval")
        .build();
  }

  /** The rehearsal only adds a scratch database, and drops it: nothing of the application's changes. A switchover moves the primary. */
  @Override
  protected boolean needsApproval(Plan plan) {
    return switchover();
  }

  /** A drill slower than the RTO fails as a drill; nobody is paged for it at 03:00. */
  @Override
  protected boolean pagesOnRtoBreach() {
    return false;
  }

  @Override
  protected String noApprovalReason() {
    return "a drill leaves the application's data alone";
  }

  @Override
  protected String change() {
    if (switchover()) {
      return switchOverAndBack();
    }
    phase("restoring");
    copyServer = server;
    if (instance != null) {
      copyServer = step(SCRATCH_INSTANCE, () -> {
        // registered first: a StatefulSet made by an attempt the worker lost is deleted all the same
        ledger.compensateWith(SCRATCH_INSTANCE, this::deleteInstance);
        // a cancelled drill deletes only once the call stopped: one still running could be creating it
        PostgresServer made = KubernetesActivities.CALLS.stubWaitingForCancellation("create the scratch StatefulSet " + instance)
            .createScratchInstance(target, instance, runId());
        timeline.note("scratch server " + made.pod() + " ready at " + made.address());
        // the backup keeps its objects' owners and grants: the roles they name must exist there
        List<String> roles = Ports.postgres("make " + server.pod() + "'s roles on " + made.pod()).copyRoleNames(server, made);
        // a retry finds those an earlier attempt made; a cluster's thousands of roles are counted, not listed
        timeline.note(roles.isEmpty() ? "no role to make" : "made roles " + String.join(", ", roles.subList(0, Math.min(10, roles.size())))
            + (roles.size() > 10 ? " and " + (roles.size() - 10) + " more" : "") + " (NOLOGIN, no password)");
        return made;
      });
    }
    step(RESTORE, () -> {
      if (instance == null) {
        // registered before the restore starts: a restore stopped midway leaves a partial copy to drop
        ledger.compensateWith(RESTORE, this::dropScratch);
      }
      // a cancelled drill waits for the restore to stop before dropping: a restore still running could create the scratch again
      var restored = RestoreActivities.CALLS.stubWaitingForCancellation("restore " + backup.key() + " into " + scratch)
          .restoreBackup(copyServer, target.backups(), backup, scratch);
      timeline.note(restored.partsRestored() + " parts restored, " + restored.bytes() + " bytes read");
    });
    check = step(CHECK_RESTORE, () -> Ports.restore("check " + scratch + " against " + backup.key())
        .checkRestore(copyServer, target.backups(), backup, scratch));
    if (!check.passed()) {
      throw new StopRun("drill failed: the restored copy does not match the backup " + backup.key() + ": " + String.join("; ", check.problems()));
    }
    phase("verifying");
    VerificationResult verification = step(VERIFY, () -> Ports.postgres("verify " + scratch + " on " + copyServer.pod())
        .verifyPrimary(withDatabase(copyServer, scratch), target.verification().integrityTables(), runId()));
    recovered(verification);
    if (!verification.passed()) {
      throw new StopRun("drill failed: the restored copy did not pass verification: " + String.join("; ", verification.problems()));
    }
    verifiedAfter = Duration.between(incidentStart(), now()).toMillis() / 1000.0;
    if (instance != null) {
      deleteInstance();
    } else {
      dropScratch();
    }
    judge();
    if (!passed) {
      throw new StopRun("drill failed: " + String.join("; ", verdicts.stream().filter(v -> v.contains("ABOVE")).toList()));
    }
    return "drill passed: " + String.join("; ", verdicts);
  }

  /** Drops the scratch database: the last step, or the undo of a drill that stopped before it. */
  private void dropScratch() {
    step(CLEAN_UP, () -> {
      boolean dropped = Ports.restore("drop the scratch database " + scratch).dropScratchDatabase(server, scratch);
      scratchDropped = true;
      timeline.note(dropped ? "dropped " + scratch : scratch + " was not there (never created, or dropped before)");
    });
    // the scratch copy is gone: neither its making nor its dropping leaves anything for a person
    ledger.handedBack(RESTORE);
    ledger.handedBack(CLEAN_UP);
  }

  /** Deletes the scratch StatefulSet and its claim: the last step, or the undo of a drill that stopped after making it. */
  private void deleteInstance() {
    step(CLEAN_UP, () -> {
      boolean deleted = Ports.kubernetes("delete the scratch StatefulSet " + instance).deleteScratchInstance(target, instance, runId());
      scratchDropped = true;
      timeline.note(deleted ? "deleted StatefulSet " + instance + " and its claim" : instance + " was not there (never created, or deleted before)");
    });
    // the copy went with its server
    if (ledger.changes().stream().anyMatch(c -> c.step().equals(RESTORE))) {
      ledger.handedBack(RESTORE);
    }
    ledger.handedBack(SCRATCH_INSTANCE);
    ledger.handedBack(CLEAN_UP);
  }

  /** The measured RTO and RPO against the target's objectives. */
  private void judge() {
    Duration rto = target.objectives().rto();
    RpoFigures rpo = rpo();
    List<String> lines = new ArrayList<>();
    boolean rtoHeld = verifiedAfter <= rto.toSeconds();
    lines.add(String.format("RTO: a verified copy after %.1f s, %s the objective of %s", verifiedAfter, rtoHeld ? "within" : "ABOVE", rto));
    boolean rpoHeld = rpo.lostSeconds() <= rpo.objectiveSeconds();
    lines.add(String.format("RPO: the newest valid backup is %.0f s old, %s the objective of %s", rpo.lostSeconds(),
        rpoHeld ? "within" : "ABOVE", target.objectives().rpo()));
    verdicts = List.copyOf(lines);
    passed = rtoHeld && rpoHeld;
  }

  private boolean switchover() {
    return DrillModes.SWITCHOVER.equals(mode);
  }

  /** A reachable standby that streams and is not fenced: the one a switchover moves the primary to. */
  private PostgresServer streamingStandby(ClusterDiagnosis diagnosis, ServerState primary) {
    return diagnosis.states().stream()
        .filter(s -> !s.pod().equals(primary.pod()) && s.reachable() && s.inRecovery() && !Boolean.FALSE.equals(s.walStreaming())
            && !diagnosis.fencedPods().contains(s.pod()))
        .findFirst().map(s -> diagnosis.servers().get(s.pod()))
        .orElseThrow(() -> new StopRun("a switchover needs a streaming standby of " + primary.pod() + ", and none answers (see the"
            + " diagnose step): rejoin the others first (pgdr rejoin)"));
  }

  private Plan switchoverPlan() {
    String a = server.pod();
    String b = standby.pod();
    String repointed = "Service " + target.service() + (target.configMap() == null ? "" : " and ConfigMap " + target.configMap().name());
    return plan()
        .changes(MARKERS, PlannedStep.POSTGRES, "write " + MARKERS_PER_SWITCH + " marker rows on " + a + " into the drill's scratch database "
            + scratch + " (never the application's database)", "The drill's scratch database " + scratch + " is left on the primary: drop it")
        .changes(SWITCH_OVER, PlannedStep.KUBERNETES + " + " + PlannedStep.POSTGRES, "switch " + a + " -> " + b + ": fence " + a
            + " (marked in StatefulSet " + target.statefulSet() + ", read-only, sessions ended), wait until " + b + " replayed all " + a
            + " wrote, promote " + b + ", point " + repointed + " at " + b,
            b + " is the primary and " + a + " is fenced: bring " + a + " back with pgdr rejoin")
        .changes(RESTART_APPS, PlannedStep.KUBERNETES, "rollout restart " + deployments(), null)
        .reads(VERIFY_SWITCH, PlannedStep.POSTGRES, "verify " + b + ": write probe, integrity tables " + target.verification().integrityTables()
            + " (the first direction's RTO: from the fence to here)")
        .changes(REJOIN_OLD, PlannedStep.KUBERNETES + " + " + PlannedStep.POSTGRES + " + volume", "bring " + a + " back as a standby of " + b
            + ": held, pg_rewind (or a fresh copy, the old data directory kept), started, streaming, unfenced",
            a + " is held or fenced: bring it back with pgdr rejoin")
        .changes(MARKERS_AGAIN, PlannedStep.POSTGRES, "write " + MARKERS_PER_SWITCH + " more marker rows on " + b, null)
        .changes(SWITCH_BACK, PlannedStep.KUBERNETES + " + " + PlannedStep.POSTGRES, "switch " + b + " -> " + a + " the same way",
            a + " is the primary again and " + b + " is fenced: bring " + b + " back with pgdr rejoin")
        .changes(RESTART_APPS_AGAIN, PlannedStep.KUBERNETES, "rollout restart " + deployments() + " again", null)
        .reads(VERIFY_BACK, PlannedStep.POSTGRES, "verify " + a + " (the second direction's RTO)")
        .changes(REJOIN_BACK, PlannedStep.KUBERNETES + " + " + PlannedStep.POSTGRES + " + volume", "bring " + b + " back as a standby of " + a,
            b + " is held or fenced: bring it back with pgdr rejoin")
        .reads(COUNT_MARKERS, PlannedStep.POSTGRES, "count the " + 2 * MARKERS_PER_SWITCH + " markers on " + a + ": all there is zero loss")
        .changes(CLEAN_UP, PlannedStep.POSTGRES, "drop the scratch database " + scratch, null)
        .note("a switchover moves the primary twice: writes fail from each fence until the new primary is verified; for staging and the lab")
        .build();
  }

  /** The switchover: markers, a switch, the old primary rejoined, markers, the switch back, the other rejoined, the markers counted. */
  private String switchOverAndBack() {
    phase("switching");
    current = server;
    step(MARKERS, () -> {
      // a drill that stops after this drops its scratch database on whichever server is the primary then
      ledger.compensateWith(MARKERS, this::dropMarkers);
      Ports.postgres("write " + MARKERS_PER_SWITCH + " markers on " + server.pod()).writeMarkers(server, scratch, runId(), 1, MARKERS_PER_SWITCH);
    });
    switchPrimary(SWITCH_OVER, RESTART_APPS, VERIFY_SWITCH, server, standby);
    step(REJOIN_OLD, () -> new StandbyReturn(target, standby, timeline).bringBack(server, "the old primary, fenced by the switch"));
    ledger.handBack(REJOIN_OLD, null);
    ledger.handBack(SWITCH_OVER, standby.pod() + " is the primary (it was " + server.pod() + ", which streams from it now)");
    step(MARKERS_AGAIN, () -> Ports.postgres("write " + MARKERS_PER_SWITCH + " more markers on " + standby.pod())
        .writeMarkers(standby, scratch, runId(), MARKERS_PER_SWITCH + 1, 2 * MARKERS_PER_SWITCH));
    switchPrimary(SWITCH_BACK, RESTART_APPS_AGAIN, VERIFY_BACK, standby, server);
    ledger.handedBack(SWITCH_OVER);
    step(REJOIN_BACK, () -> new StandbyReturn(target, server, timeline).bringBack(standby, "the primary of the first switch, fenced by the"
        + " switch back"));
    ledger.handBack(REJOIN_BACK, null);
    ledger.handedBack(SWITCH_BACK);
    markersFound = step(COUNT_MARKERS, () -> Ports.postgres("count the markers on " + server.pod()).countMarkers(server, scratch, runId()));
    dropMarkers();
    judgeSwitchover();
    if (!passed) {
      throw new StopRun("drill failed: " + String.join("; ", verdicts.stream().filter(v -> v.contains("ABOVE")).toList()));
    }
    return "drill passed: " + String.join("; ", verdicts);
  }

  /** One direction: the switch, the applications restarted, the new primary verified; its RTO from the fence to the verification. */
  private void switchPrimary(String switchStep, String restartStep, String verifyStep, PostgresServer from, PostgresServer to) {
    Instant began = now();
    SwitchMeasure measured = step(switchStep, () -> new PrimarySwitch(target, timeline).run(from, to));
    current = to;
    // each direction restarts the applications, once even on retry
    restartApps(restartStep, runId() + "/" + switchStep);
    VerificationResult verification = step(verifyStep, () -> Ports.postgres("verify " + to.pod()).verifyPrimary(to,
        target.verification().integrityTables(), runId()));
    recovered(verification);
    if (!verification.passed()) {
      throw new StopRun("drill failed: " + to.pod() + " was switched to but did not pass verification: "
          + String.join("; ", verification.problems()));
    }
    switches.add(measured.verifiedAfter(Duration.between(began, now()).toMillis() / 1000.0));
  }

  /** Drops the switchover's scratch database on the primary of the moment: its last step, or its undo. */
  private void dropMarkers() {
    step(CLEAN_UP, () -> {
      boolean dropped = Ports.restore("drop the scratch database " + scratch).dropScratchDatabase(current, scratch);
      scratchDropped = true;
      timeline.note(dropped ? "dropped " + scratch + " on " + current.pod() : scratch + " was not there");
    });
    ledger.handedBack(MARKERS);
    ledger.handedBack(CLEAN_UP);
  }

  /** Each direction's RTO against the objective, and every marker found: zero loss. */
  private void judgeSwitchover() {
    Duration rto = target.objectives().rto();
    List<String> lines = new ArrayList<>();
    boolean held = true;
    for (SwitchMeasure s : switches) {
      boolean within = s.seconds() <= rto.toSeconds();
      held &= within;
      lines.add(String.format("RTO %s -> %s: verified %.1f s after the fence, %s the objective of %s", s.from(), s.to(), s.seconds(),
          within ? "within" : "ABOVE", rto));
    }
    long written = 2L * MARKERS_PER_SWITCH;
    boolean noLoss = markersFound != null && markersFound == written;
    lines.add(noLoss ? "RPO: all " + written + " markers written before the switches are on " + server.pod() + ": nothing lost"
        : "RPO: " + markersFound + " of " + written + " markers found on " + server.pod() + ", ABOVE the objective of no loss in a switchover");
    verdicts = List.copyOf(lines);
    passed = held && noLoss;
  }

  private static PostgresServer withDatabase(PostgresServer on, String database) {
    return new PostgresServer(on.pod(), on.host(), on.port(), database, on.namespace(), on.credentials());
  }

  /** Never asked: the plan needs no approval. Shown by {@code --plan} and the UI as what the drill does. */
  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    if (switchover()) {
      return new ApprovalRequest(SWITCH_OVER, "switch the primary of " + target.name() + " from " + server.pod() + " to " + standby.pod()
          + " and back (writes fail while each old primary is fenced, until the new one is verified; nothing committed is lost)",
          plan.lines(), standby.pod(), 0, false, target.approval().approvers(), now, approvalDeadline(now));
    }
    return new ApprovalRequest(RESTORE, "rehearse a restore of " + target.name() + " from " + backup.key(), plan.lines(), backup.key(),
        rpo().lostSeconds(), false, target.approval().approvers(), now, approvalDeadline(now));
  }

  /** A restore now would lose the writes since the backup's data: the backup's age at the drill's start. */
  @Override
  protected RpoFigures rpo() {
    if (switchover()) {
      // a marker missing after a switch is a loss the drill cannot put in seconds: its verdict says it
      return markersFound == null || markersFound < 2L * MARKERS_PER_SWITCH ? null
          : new RpoFigures(0, target.objectives().rpo().toSeconds(), "all " + markersFound + " markers written before the switches were found");
    }
    if (backup == null || backup.dataAsOf() == null) {
      return null;
    }
    double age = Math.max(0, Duration.between(backup.dataAsOf(), incidentStart()).toMillis() / 1000.0);
    return new RpoFigures(age, target.objectives().rpo().toSeconds(), "a restore now loses the writes since the backup's data at "
        + backup.dataAsOf());
  }

  @Override
  protected DrillOutcome outcome() {
    if (backup == null && readiness == null && standby == null) {
      return null;
    }
    // a drill that stopped before its backup keeps the readiness check that may say why
    String pod = copyServer != null ? copyServer.pod() : server == null ? null : server.pod();
    return new DrillOutcome(mode, pod, backup == null ? null : backup.key(),
        backup == null ? null : backup.dataAsOf(), scratch, check, verifiedAfter,
        switchover() || rpo() == null ? null : rpo().lostSeconds(), verdicts, passed, scratchDropped, readiness, switches,
        switchover() ? 2 * MARKERS_PER_SWITCH : null, markersFound, instance);
  }
}
