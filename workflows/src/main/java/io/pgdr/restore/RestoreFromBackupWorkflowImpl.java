package io.pgdr.restore;

import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.SwapResult;
import io.pgdr.ports.VerificationResult;
import io.pgdr.run.ActivityStubs;
import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RestoreSummary;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.Timeline;
import io.temporal.failure.ActivityFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

public class RestoreFromBackupWorkflowImpl extends RecoveryWorkflow implements RestoreFromBackupWorkflow {

  private Instant incidentStart;
  private BackupEntry backup;
  private DatabaseNames names;
  private Map<String, Integer> writersStopped;
  private boolean writersRestarted;
  private RestoreResult restored;
  private RestoreCheck check;
  private SwapResult swap;

  public RestoreFromBackupWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport restore(RestoreRequest request) {
    incidentStart = begin(request.target(), request.incidentStart());
    List<String> problems = new ArrayList<>(target.problems());
    if (target.backups() == null) {
      problems.add("backups: missing (bucket and prefix where the database's backups live)");
    }
    if (!problems.isEmpty()) {
      return finish(RecoveryReport.FAILED, "the target is not valid: " + String.join("; ", problems) + ". Nothing was changed.");
    }
    names = DatabaseNames.forRun(target.postgres().database(), runId());
    PostgresServer primary;
    try {
      primary = timeline.step("diagnose", this::diagnose);
      if (primary == null) {
        return finish(RecoveryReport.FAILED, "no reachable primary to restore into (see the diagnose step). Restoring onto a"
            + " recreated volume is not done by pgdr yet: bring a primary back (or fail over) and restore again. Nothing was changed.");
      }
      backup = timeline.step("choose-backup", () -> chooseBackup(request.backupKey()));
    } catch (ActivityFailure e) {
      return finish(RecoveryReport.FAILED, "step " + timeline.current() + " failed: " + Timeline.rootMessage(e) + ". Nothing was changed.");
    } catch (UnusableBackup e) {
      return finish(RecoveryReport.FAILED, e.getMessage() + ". Nothing was changed.");
    }

    ApprovalRecord decision = approval(approvalRequest(primary), request.preApproval());
    if (!decision.approved()) {
      return finish(RecoveryReport.ABORTED, abortMessage(decision));
    }
    phase("recovering");
    try {
      timeline.step("stop-writers", () -> {
        writersStopped = ActivityStubs.kubernetes("stop writers: scale " + deployments() + " to 0").stopWriters(target, runId());
        timeline.note(writersStopped.isEmpty() ? "the target names no Deployments" : "scaled to 0: " + describe(writersStopped));
      });
    } catch (ActivityFailure e) {
      return finish(RecoveryReport.FAILED, "stopping the writers failed: " + Timeline.rootMessage(e)
          + ". The database was not touched; check the Deployments' replicas (pgdr remembers them in " + "pgdr.io/replicas-before).");
    }
    try {
      restored = timeline.step("restore", () -> ActivityStubs.restore("restore " + backup.key() + " into " + names.restored())
          .restoreBackup(primary, target.backups(), backup, names.restored()));
      timeline.note(restored.partsRestored() + " parts restored" + (restored.partsAlreadyDone() > 0
          ? ", " + restored.partsAlreadyDone() + " found done by an earlier attempt" : "") + ", " + restored.bytes() + " bytes read");
      check = timeline.step("check-restore", () -> ActivityStubs.restoreSteps("check " + names.restored() + " against " + backup.key())
          .checkRestore(primary, target.backups(), backup, names.restored()));
      if (!check.passed()) {
        return stopped("the restored database " + names.restored() + " does not match the backup: " + String.join("; ", check.problems())
            + ". The live database " + names.live() + " is untouched");
      }
      phase("swapping");
      swap = timeline.step("swap", () -> ActivityStubs.restoreSteps("swap " + names.restored() + " in as " + names.live()
          + ", keeping the old as " + names.previous()).swapDatabases(primary, names.live(), names.restored(), names.previous()));
      timeline.note(names.live() + " now holds the restored data; the replaced database is kept as " + names.previous());
    } catch (ActivityFailure e) {
      return stopped("step " + timeline.current() + " failed: " + Timeline.rootMessage(e)
          + (swap == null ? ". The live database " + names.live() + " is untouched" : ""));
    }
    phase("verifying");
    VerificationResult verification;
    try {
      verification = timeline.step("verify", () -> ActivityStubs.postgres("verify " + names.live() + " on " + primary.pod())
          .verifyPrimary(primary, target.verification().integrityTables(), runId()));
    } catch (ActivityFailure e) {
      return stopped("verification of " + names.live() + " failed: " + Timeline.rootMessage(e));
    }
    if (!verification.passed()) {
      return stopped(names.live() + " was restored but did not pass verification: " + String.join("; ", verification.problems())
          + ". The replaced database is kept as " + names.previous());
    }
    Instant recoveredAt = now();
    try {
      timeline.step("restart-writers", () -> {
        ActivityStubs.kubernetes("bring writers back: " + describe(writersStopped)).restartWriters(target, writersStopped);
        writersRestarted = true;
        timeline.note(writersStopped.isEmpty() ? "nothing to restart" : "scaled back: " + describe(writersStopped));
      });
    } catch (ActivityFailure e) {
      return finish(RecoveryReport.FAILED, names.live() + " is restored and verified, but bringing the writers back failed: "
          + Timeline.rootMessage(e) + ". Scale them back by hand: " + describe(writersStopped), primary.pod(), verification, recoveredAt);
    }
    return finish(RecoveryReport.SUCCEEDED, names.live() + " restored from " + backup.key() + " and verified; the replaced database is kept as "
        + names.previous(), primary.pod(), verification, recoveredAt);
  }

  private PostgresServer diagnose() {
    ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
    if (!diagnosis.cluster().recentEvents().isEmpty()) {
      timeline.note("events: " + String.join(" | ", diagnosis.cluster().recentEvents()));
    }
    ServerState live = diagnosis.livePrimary().orElse(null);
    if (live == null) {
      return null;
    }
    timeline.note("restoring on " + live.pod() + " (server " + live.serverVersion() + ")");
    return diagnosis.servers().get(live.pod());
  }

  private BackupEntry chooseBackup(String named) {
    BackupEntry chosen;
    if (named != null) {
      chosen = ActivityStubs.backups("check backup " + named).checkBackup(target.backups(), named);
      if (!chosen.valid()) {
        throw new UnusableBackup("backup " + named + " is not usable: " + chosen.reason());
      }
    } else {
      BackupCatalog catalog = ActivityStubs.backups("list backups under " + target.backups().url()).listBackups(target.backups());
      for (BackupEntry entry : catalog.entries()) {
        if (!entry.valid() && entry.reason() != null && !entry.reason().startsWith("not checked")) {
          timeline.note("skipped " + entry.key() + ": " + entry.reason());
        }
      }
      chosen = catalog.latestValid().orElseThrow(() -> new UnusableBackup("no valid backup under " + catalog.location()
          + (catalog.entries().isEmpty() ? "" : ": " + catalog.entries().stream()
              .map(e -> e.key() + " (" + e.reason() + ")").collect(Collectors.joining("; ")))));
    }
    timeline.note("using " + chosen.key() + " (" + chosen.format() + ", " + chosen.sizeBytes() + " bytes, data as of " + chosen.dataAsOf() + ")");
    return chosen;
  }

  private ApprovalRequest approvalRequest(PostgresServer primary) {
    RpoFigures rpo = rpo();
    boolean rpoExceeded = rpo.lostSeconds() > rpo.objectiveSeconds();
    List<String> plan = List.of(
        "stop writers: scale " + deployments() + " to 0, remembering their replicas",
        "restore " + backup.key() + " into a new database " + names.restored() + " on " + primary.pod(),
        "check row counts against the backup",
        "swap names: " + names.live() + " -> " + names.previous() + " (kept, not dropped), " + names.restored() + " -> " + names.live(),
        "verify: write probe, integrity tables " + target.verification().integrityTables(),
        "bring the writers back with their replicas");
    Instant now = now();
    return new ApprovalRequest("restore", "restore " + target.name() + " from " + backup.key() + " (taken until "
        + backup.dataAsOf() + ": up to " + Duration.ofSeconds((long) rpo.lostSeconds()) + " of writes lost"
        + (rpoExceeded ? ", ABOVE the RPO of " + target.objectives().rpo() : "") + ")",
        plan, backup.key(), -1, rpo.lostSeconds(), rpoExceeded, target.approval().approvers(), now, approvalDeadline(now));
  }

  /**
   * Ends a run that failed after the writers were stopped. They stay stopped: writers come back
   * only onto a verified database. The report says where it stopped and what they were.
   */
  private RecoveryReport stopped(String message) {
    return finish(RecoveryReport.FAILED, message + ". Writers stay stopped (" + describe(writersStopped)
        + ", remembered on the Deployments); bring them back once the database is right.");
  }

  /** RPO of a restore: the writes between the backup's end and the incident are lost. */
  @Override
  protected RpoFigures rpo() {
    if (backup == null || backup.dataAsOf() == null) {
      return null;
    }
    double lost = Math.max(0, Duration.between(backup.dataAsOf(), incidentStart).toMillis() / 1000.0);
    return new RpoFigures(-1, lost, target.objectives().rpo().toSeconds(), "writes after the backup's snapshot at " + backup.dataAsOf());
  }

  @Override
  protected RestoreSummary restoreSummary() {
    if (backup == null) {
      return null;
    }
    return new RestoreSummary(backup.key(), backup.format(), backup.dataAsOf(), names.restored(), names.live(),
        swap == null ? null : swap.keptAs(), writersStopped, writersRestarted,
        restored == null ? 0 : restored.partsTotal(), restored == null ? 0 : restored.partsRestored(),
        restored == null ? 0 : restored.partsAlreadyDone(), restored == null ? 0 : restored.bytes(), check);
  }

  private String deployments() {
    return target.deployments().isEmpty() ? "no Deployments" : String.join(", ", target.deployments());
  }

  private static String describe(Map<String, Integer> replicas) {
    return replicas == null || replicas.isEmpty() ? "none" : replicas.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
  }

  /** A backup that cannot be used: the run ends before anything is changed. */
  private static final class UnusableBackup extends RuntimeException {
    UnusableBackup(String message) {
      super(message);
    }
  }
}
