package io.pgdr.drill;

import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.RestoreActivities;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
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
 * The restore rehearsal: the latest valid backup restored into a scratch database on the primary,
 * beside the live database, which it never touches; checked against the backup's manifest and the
 * target's integrity tables; the scratch database dropped, also when a step fails or the drill is
 * cancelled (a compensation, run in a scope the cancellation cannot reach). The drill passes when
 * the copy was verified within the RTO and the backup was within the RPO.
 */
public class FailoverDrillWorkflowImpl extends RecoveryWorkflow implements FailoverDrillWorkflow {

  static final String CHECK_NO_RECOVERY = "check-no-recovery";
  static final String READINESS = "readiness";
  /** Since version 1 a drill runs the readiness check first and keeps it in its report. */
  static final String READINESS_CHANGE = "drill-readiness";
  static final String RESTORE = "restore";
  static final String CHECK_RESTORE = "check-restore";
  static final String VERIFY = "verify";
  static final String CLEAN_UP = "clean-up";

  private String mode;
  private PostgresServer server;
  private BackupEntry backup;
  private String scratch;
  private RestoreCheck check;
  private Double verifiedAfter;
  private List<String> verdicts = List.of();
  private Boolean passed;
  private ReadinessReport readiness;
  private boolean scratchDropped;

  public FailoverDrillWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport drill(FailoverDrillRequest request) {
    mode = request.modeOrDefault();
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
    if (target.backups() == null) {
      problems.add("backups: missing (a restore rehearsal restores the database's latest backup)");
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
      timeline.note("rehearsing on " + live.pod() + " (server " + live.serverVersion() + ")");
      return diagnosis.servers().get(live.pod());
    });
    backup = step("choose-backup", () -> BackupChoice.choose(target, null, timeline));
    scratch = DatabaseNames.drillScratch(target.postgres().database(), runId());
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

  /** The rehearsal only adds a scratch database, and drops it: nothing of the application's changes. */
  @Override
  protected boolean needsApproval(Plan plan) {
    return false;
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
    phase("restoring");
    step(RESTORE, () -> {
      // registered before the restore starts: a restore stopped midway leaves a partial copy to drop
      ledger.compensateWith(RESTORE, this::dropScratch);
      // a cancelled drill waits for the restore to stop before dropping: a restore still running could create the scratch again
      var restored = RestoreActivities.CALLS.stubWaitingForCancellation("restore " + backup.key() + " into " + scratch)
          .restoreBackup(server, target.backups(), backup, scratch);
      timeline.note(restored.partsRestored() + " parts restored, " + restored.bytes() + " bytes read");
    });
    check = step(CHECK_RESTORE, () -> Ports.restore("check " + scratch + " against " + backup.key())
        .checkRestore(server, target.backups(), backup, scratch));
    if (!check.passed()) {
      throw new StopRun("drill failed: the restored copy does not match the backup " + backup.key() + ": " + String.join("; ", check.problems()));
    }
    phase("verifying");
    VerificationResult verification = step(VERIFY, () -> Ports.postgres("verify " + scratch + " on " + server.pod())
        .verifyPrimary(withDatabase(scratch), target.verification().integrityTables(), runId()));
    recovered(verification);
    if (!verification.passed()) {
      throw new StopRun("drill failed: the restored copy did not pass verification: " + String.join("; ", verification.problems()));
    }
    verifiedAfter = Duration.between(incidentStart(), now()).toMillis() / 1000.0;
    dropScratch();
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

  private PostgresServer withDatabase(String database) {
    return new PostgresServer(server.pod(), server.host(), server.port(), database, server.namespace(), server.credentials());
  }

  /** Never asked: the plan needs no approval. Shown by {@code --plan} and the UI as what the drill does. */
  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    return new ApprovalRequest(RESTORE, "rehearse a restore of " + target.name() + " from " + backup.key(), plan.lines(), backup.key(),
        rpo().lostSeconds(), false, target.approval().approvers(), now, approvalDeadline(now));
  }

  /** A restore now would lose the writes since the backup's data: the backup's age at the drill's start. */
  @Override
  protected RpoFigures rpo() {
    if (backup == null || backup.dataAsOf() == null) {
      return null;
    }
    double age = Math.max(0, Duration.between(backup.dataAsOf(), incidentStart()).toMillis() / 1000.0);
    return new RpoFigures(age, target.objectives().rpo().toSeconds(), "a restore now loses the writes since the backup's data at "
        + backup.dataAsOf());
  }

  @Override
  protected DrillOutcome outcome() {
    if (backup == null && readiness == null) {
      return null;
    }
    // a drill that stopped before its backup keeps the readiness check that may say why
    return new DrillOutcome(mode, server == null ? null : server.pod(), backup == null ? null : backup.key(),
        backup == null ? null : backup.dataAsOf(), scratch, check, verifiedAfter,
        rpo() == null ? null : rpo().lostSeconds(), verdicts, passed, scratchDropped, readiness);
  }
}
