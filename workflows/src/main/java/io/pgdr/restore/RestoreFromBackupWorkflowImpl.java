package io.pgdr.restore;

import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.PodState;
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
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

public class RestoreFromBackupWorkflowImpl extends RecoveryWorkflow implements RestoreFromBackupWorkflow {

  /** Version of the change that recreates a broken primary on a new volume instead of refusing the run. */
  static final String REBUILD_CHANGE = "rebuild-broken-primary";
  /** Version of the change that waits for the writers to be ready after scaling them back (runbook 000 C.10). */
  static final String CHECK_WRITERS_CHANGE = "check-writers-ready";

  private Instant incidentStart;
  private PostgresServer server;
  private String rebuiltPod;
  private List<String> standbys = List.of();
  private List<KeptVolume> keptVolumes;
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
      return refuseInput("the target is not valid: " + String.join("; ", problems) + ". Nothing was changed.");
    }
    names = DatabaseNames.forRun(target.postgres().database(), runId());
    try {
      String refusal = timeline.step("diagnose", this::diagnose);
      if (refusal != null) {
        return finish(RecoveryReport.FAILED, refusal + ". Nothing was changed.");
      }
      backup = timeline.step("choose-backup", () -> chooseBackup(request.backupKey()));
    } catch (ActivityFailure e) {
      String message = "step " + timeline.current() + " failed: " + Timeline.rootMessage(e) + ". Nothing was changed.";
      return e.getCause() instanceof ApplicationFailure failure && FailureTypes.isBadInput(failure.getType())
          ? refuseInput(message) : finish(RecoveryReport.FAILED, message);
    } catch (UnusableBackup e) {
      String message = e.getMessage() + ". Nothing was changed.";
      return e.named ? refuseInput(message) : finish(RecoveryReport.FAILED, message);
    }

    ApprovalRecord decision = approval(approvalRequest(), request.preApproval());
    if (!decision.approved()) {
      return finish(RecoveryReport.ABORTED, abortMessage(decision));
    }
    phase("recovering");
    if (rebuiltPod != null) {
      try {
        keptVolumes = timeline.step("keep-volume", () -> {
          List<KeptVolume> kept = ActivityStubs.kubernetes("keep the volume of " + rebuiltPod + ": reclaim policy Retain")
              .keepVolumes(target, rebuiltPod, runId());
          timeline.note("kept: " + kept.stream().map(KeptVolume::toString).collect(Collectors.joining("; ")));
          return kept;
        });
      } catch (ActivityFailure e) {
        return finish(RecoveryReport.FAILED, "keeping the volume of " + rebuiltPod + " failed: " + Timeline.rootMessage(e)
            + ". Nothing was deleted and the writers were not stopped.");
      }
    }
    try {
      timeline.step("stop-writers", () -> {
        writersStopped = ActivityStubs.kubernetes("stop writers: scale " + deployments() + " to 0").stopWriters(target, runId());
        timeline.note(writersStopped.isEmpty() ? "the target names no Deployments" : "scaled to 0: " + describe(writersStopped));
      });
    } catch (ActivityFailure e) {
      return finish(RecoveryReport.FAILED, "stopping the writers failed: " + Timeline.rootMessage(e)
          + ". The database was not touched; check the Deployments' replicas (pgdr remembers them in " + "pgdr.io/replicas-before).");
    }
    if (rebuiltPod != null) {
      String notReady = recreateOnNewVolume();
      if (notReady != null) {
        return stopped(notReady);
      }
    }
    try {
      restored = timeline.step("restore", () -> ActivityStubs.restore("restore " + backup.key() + " into " + names.restored())
          .restoreBackup(server, target.backups(), backup, names.restored()));
      timeline.note(restored.partsRestored() + " parts restored" + (restored.partsAlreadyDone() > 0
          ? ", " + restored.partsAlreadyDone() + " found done by an earlier attempt" : "") + ", " + restored.bytes() + " bytes read");
      check = timeline.step("check-restore", () -> ActivityStubs.restoreSteps("check " + names.restored() + " against " + backup.key())
          .checkRestore(server, target.backups(), backup, names.restored()));
      if (!check.passed()) {
        return stopped("the restored database " + names.restored() + " does not match the backup: " + String.join("; ", check.problems())
            + ". The live database " + names.live() + " is untouched");
      }
      phase("swapping");
      swap = timeline.step("swap", () -> ActivityStubs.restoreSteps("swap " + names.restored() + " in as " + names.live()
          + ", keeping the old as " + names.previous()).swapDatabases(server, names.live(), names.restored(), names.previous()));
      timeline.note(names.live() + " now holds the restored data; the replaced database is kept as " + names.previous());
    } catch (ActivityFailure e) {
      return stopped("step " + timeline.current() + " failed: " + Timeline.rootMessage(e)
          + (swap == null ? ". The live database " + names.live() + " is untouched" : ""));
    }
    phase("verifying");
    VerificationResult verification;
    try {
      verification = timeline.step("verify", () -> ActivityStubs.postgres("verify " + names.live() + " on " + server.pod())
          .verifyPrimary(server, target.verification().integrityTables(), runId()));
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
          + Timeline.rootMessage(e) + ". Scale them back by hand: " + describe(writersStopped) + rebuildNote(), server.pod(), verification,
          recoveredAt);
    }
    if (!writersStopped.isEmpty() && Workflow.getVersion(CHECK_WRITERS_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      try {
        timeline.step("check-writers", () -> {
          Map<String, Integer> ready = ActivityStubs.kubernetesWait("wait for " + describe(writersStopped) + " to be ready")
              .awaitWritersReady(target, writersStopped);
          timeline.note("ready: " + describe(ready));
        });
      } catch (ActivityFailure e) {
        return finish(RecoveryReport.FAILED, names.live() + " is restored and verified and the writers were scaled back, but they"
            + " are not all ready: " + Timeline.rootMessage(e) + rebuildNote(), server.pod(), verification, recoveredAt);
      }
    }
    return finish(RecoveryReport.SUCCEEDED, names.live() + " restored from " + backup.key() + " and verified; the replaced database is kept as "
        + names.previous() + rebuildNote(), server.pod(), verification, recoveredAt);
  }

  /**
   * Finds where to restore: the live primary, or, when none answers, the pod to recreate on a new
   * volume (the Service's pod, else the StatefulSet's first). Returns why the run cannot go on, or null.
   */
  private String diagnose() {
    ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
    if (!diagnosis.cluster().recentEvents().isEmpty()) {
      timeline.note("events: " + String.join(" | ", diagnosis.cluster().recentEvents()));
    }
    ServerState live = diagnosis.livePrimary().orElse(null);
    if (live != null) {
      timeline.note("restoring on " + live.pod() + " (server " + live.serverVersion() + ")");
      server = diagnosis.servers().get(live.pod());
      return null;
    }
    if (Workflow.getVersion(REBUILD_CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return "no reachable primary to restore into (see the diagnose step). Restoring onto a recreated volume is not done by pgdr"
          + " yet: bring a primary back (or fail over) and restore again";
    }
    String pod = diagnosis.cluster().servicePod() != null ? diagnosis.cluster().servicePod() : target.statefulSet() + "-0";
    ServerState state = diagnosis.states().stream().filter(s -> s.pod().equals(pod)).findFirst().orElse(null);
    if (state != null && state.reachable()) {
      return "no primary answers, and " + pod + " (the Service's pod) answers as a " + (state.inRecovery() ? "standby" : "fenced server")
          + ": pgdr recreates only a pod whose server does not answer. Promote a replica (pgdr failover promote-replica), then restore";
    }
    rebuiltPod = pod;
    standbys = diagnosis.states().stream().filter(s -> s.reachable() && s.inRecovery()).map(ServerState::pod).toList();
    timeline.note("no reachable primary: once approved, " + pod + " is recreated on a new volume and the backup restored into it;"
        + " its old volume is kept");
    return null;
  }

  /**
   * Keeps nothing itself (its volumes were kept before): deletes the broken pod's claims and the
   * pod, waits for the StatefulSet's replacement and checks that a writable server answers there.
   * Returns why the restore cannot go on, or null.
   */
  private String recreateOnNewVolume() {
    phase("rebuilding");
    try {
      timeline.step("recreate-pod", () -> {
        ActivityStubs.kubernetes("recreate " + rebuiltPod + " on a new volume").recreatePod(target, rebuiltPod, keptVolumes, runId());
        timeline.note("claims and pod deleted; the StatefulSet recreates " + rebuiltPod);
      });
      ServerState fresh = timeline.step("await-pod", () -> {
        PodState pod = ActivityStubs.kubernetesWait("wait for " + rebuiltPod + " to be ready on its new volume")
            .awaitPodReady(target, rebuiltPod, keptVolumes);
        server = ClusterDiagnosis.serverOf(target, pod);
        ServerState state = ActivityStubs.postgresQuick("inspect " + rebuiltPod).inspectServer(server);
        timeline.note(rebuiltPod + " is ready: " + (!state.reachable() ? "its server does not answer (" + state.error() + ")"
            : state.inRecovery() ? "a standby" : "a primary, server " + state.serverVersion()));
        return state;
      });
      if (!fresh.reachable() || fresh.inRecovery()) {
        return rebuiltPod + " came back on a new volume but " + (fresh.reachable() ? "as a standby" : "its server does not answer")
            + ": nothing was restored into it";
      }
      return null;
    } catch (ActivityFailure e) {
      return "step " + timeline.current() + " failed: " + Timeline.rootMessage(e);
    }
  }

  private BackupEntry chooseBackup(String named) {
    BackupEntry chosen;
    if (named != null) {
      chosen = ActivityStubs.backups("check backup " + named).checkBackup(target.backups(), named);
      if (!chosen.valid()) {
        throw new UnusableBackup("backup " + named + " is not usable: " + chosen.reason(), true);
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
              .map(e -> e.key() + " (" + e.reason() + ")").collect(Collectors.joining("; "))), false));
    }
    timeline.note("using " + chosen.key() + " (" + chosen.format() + ", " + chosen.sizeBytes() + " bytes, data as of " + chosen.dataAsOf() + ")");
    return chosen;
  }

  private ApprovalRequest approvalRequest() {
    RpoFigures rpo = rpo();
    boolean rpoExceeded = rpo.lostSeconds() > rpo.objectiveSeconds();
    String pod = rebuiltPod != null ? rebuiltPod : server.pod();
    List<String> plan = new ArrayList<>();
    if (rebuiltPod != null) {
      plan.add("keep the volume of " + pod + ": its PersistentVolume gets reclaim policy Retain, so it is kept, never deleted");
    }
    plan.add("stop writers: scale " + deployments() + " to 0, remembering their replicas");
    if (rebuiltPod != null) {
      plan.add("delete the claim and the pod " + pod + ": the StatefulSet recreates it on a new, empty volume; wait until it is ready");
    }
    plan.add("restore " + backup.key() + " into a new database " + names.restored() + " on " + pod);
    plan.add("check row counts against the backup");
    plan.add("swap names: " + names.live() + " -> " + names.previous() + " (kept, not dropped), " + names.restored() + " -> " + names.live());
    plan.add("verify: write probe, integrity tables " + target.verification().integrityTables());
    plan.add("bring the writers back with their replicas");
    if (!standbys.isEmpty()) {
      plan.add("note: " + String.join(", ", standbys) + " answers as a standby of the broken primary. If its data is sound, reject"
          + " and promote it instead (pgdr failover promote-replica): that loses less than a backup. After this restore it must"
          + " be re-cloned from the new " + pod);
    }
    Instant now = now();
    return new ApprovalRequest("restore", (rebuiltPod != null ? "recreate " + pod + " on a new volume and restore " : "restore ")
        + target.name() + " from " + backup.key() + " (taken until "
        + backup.dataAsOf() + ": up to " + Duration.ofSeconds((long) rpo.lostSeconds()) + " of writes lost"
        + (rpoExceeded ? ", ABOVE the RPO of " + target.objectives().rpo() : "") + ")",
        plan, backup.key(), -1, rpo.lostSeconds(), rpoExceeded, target.approval().approvers(), now, approvalDeadline(now));
  }

  /** What a run that recreated the primary leaves behind: the old volume, and standbys to re-clone. */
  private String rebuildNote() {
    if (keptVolumes == null) {
      return "";
    }
    return ". " + rebuiltPod + " was recreated on a new volume; its old volume is kept: "
        + keptVolumes.stream().map(KeptVolume::toString).collect(Collectors.joining("; "))
        + (standbys.isEmpty() ? "" : ". Re-clone " + String.join(", ", standbys) + " from " + rebuiltPod + ": it still follows the old server");
  }

  /**
   * Ends a run that failed after the writers were stopped. They stay stopped: writers come back
   * only onto a verified database. The report says where it stopped and what they were.
   */
  private RecoveryReport stopped(String message) {
    return finish(RecoveryReport.FAILED, message + ". Writers stay stopped (" + describe(writersStopped)
        + ", remembered on the Deployments); bring them back once the database is right" + rebuildNote() + ".");
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
        restored == null ? 0 : restored.partsAlreadyDone(), restored == null ? 0 : restored.bytes(), check, rebuiltPod, keptVolumes);
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
    /** The operator named it (--backup): their input to fix, unlike a store that holds no valid backup. */
    final boolean named;

    UnusableBackup(String message, boolean named) {
      super(message);
      this.named = named;
    }
  }
}
