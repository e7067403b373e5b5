package io.pgdr.restore;

import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.SwapResult;
import io.pgdr.ports.VerificationResult;
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
import java.util.Map;
import java.util.stream.Collectors;

public class RestoreFromBackupWorkflowImpl extends RecoveryWorkflow implements RestoreFromBackupWorkflow {

  /** Version of the change that recreates a broken primary on a new volume instead of refusing the run. */
  static final String REBUILD_CHANGE = "rebuild-broken-primary";
  /** Version of the change that waits for the writers to be ready after scaling them back (runbook 000 C.10). */
  static final String CHECK_WRITERS_CHANGE = "check-writers-ready";
  /** Since version 1 the databases' names carry the random end of the run ID, not its time-ordered start. */
  static final String NAMES_FROM_RANDOM_PART = "names-from-random-part";

  static final String KEEP_VOLUME = "keep-volume";
  static final String STOP_WRITERS = "stop-writers";
  static final String RECREATE_POD = "recreate-pod";
  static final String AWAIT_POD = "await-pod";
  static final String RESTORE = "restore";
  static final String CHECK_RESTORE = "check-restore";
  static final String SWAP = "swap";
  static final String VERIFY = "verify";
  static final String RESTART_WRITERS = "restart-writers";
  static final String CHECK_WRITERS = "check-writers";

  private String backupKey;
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
    backupKey = request.backupKey();
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new ArrayList<>(super.inputProblems());
    if (target.backups() == null) {
      problems.add("backups: missing (bucket and prefix where the database's backups live)");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    names = DatabaseNames.forRun(target.postgres().database(), runId(),
        Workflow.getVersion(NAMES_FROM_RANDOM_PART, Workflow.DEFAULT_VERSION, 1) >= 1);
    String refusal = step("diagnose", this::inspect);
    if (refusal != null) {
      throw new StopRun(refusal);
    }
    backup = step("choose-backup", () -> BackupChoice.choose(target, backupKey, timeline));
    String pod = rebuiltPod != null ? rebuiltPod : server.pod();
    Plan.Builder plan = plan();
    if (rebuiltPod != null) {
      plan.changes(KEEP_VOLUME, PlannedStep.KUBERNETES, "keep the volume of " + pod + ": its PersistentVolume gets reclaim policy Retain,"
          + " so it is kept, never deleted", "Check that the old PersistentVolume of " + pod + " has reclaim policy Retain");
    }
    plan.changes(STOP_WRITERS, PlannedStep.KUBERNETES, "stop writers: scale " + deployments() + " to 0, remembering their replicas",
        writersLeftStopped("as they were"));
    if (rebuiltPod != null) {
      plan.changes(RECREATE_POD, PlannedStep.KUBERNETES, "delete the claim and the pod " + pod
          + ": the StatefulSet recreates it on a new, empty volume",
          standbys.isEmpty() ? null : "Re-clone " + String.join(", ", standbys) + " from " + pod + ": it still follows the old server");
      plan.reads(AWAIT_POD, PlannedStep.KUBERNETES, "wait until " + pod + " is ready on its new volume and answers as a primary");
    }
    plan.changes(RESTORE, PlannedStep.POSTGRES + " + " + PlannedStep.OBJECT_STORE, "restore " + backup.key() + " into a new database "
            + names.restored() + " on " + pod, "The database " + names.restored() + " holds a restore that was not swapped in: drop it (another run restores"
            + " into a database of its own)")
        .reads(CHECK_RESTORE, PlannedStep.POSTGRES, "check row counts against the backup")
        .changes(SWAP, PlannedStep.POSTGRES, "swap names: " + names.live() + " -> " + names.previous() + " (kept, not dropped), "
            + names.restored() + " -> " + names.live(), "The replaced database is kept as " + names.previous()
            + ": drop it once the restored data is right")
        .reads(VERIFY, PlannedStep.POSTGRES, "verify: write probe (a WAL message: nothing is created), integrity tables "
            + target.verification().integrityTables())
        .changes(RESTART_WRITERS, PlannedStep.KUBERNETES, "bring the writers back with their replicas", null);
    if (!target.deployments().isEmpty()) {
      plan.reads(CHECK_WRITERS, PlannedStep.KUBERNETES, "wait until " + deployments() + " are ready");
    }
    if (!standbys.isEmpty()) {
      plan.note(String.join(", ", standbys) + " answers as a standby of the broken primary. If its data is sound, reject"
          + " and promote it instead (pgdr failover promote-replica): that loses less than a backup. After this restore it must"
          + " be re-cloned from the new " + pod);
    }
    return plan.build();
  }

  @Override
  protected String change() {
    if (rebuiltPod != null) {
      keptVolumes = step(KEEP_VOLUME, () -> {
        List<KeptVolume> kept = Ports.kubernetes("keep the volume of " + rebuiltPod + ": reclaim policy Retain")
            .keepVolumes(target, rebuiltPod, runId());
        timeline.note("kept: " + kept.stream().map(KeptVolume::toString).collect(Collectors.joining("; ")));
        return kept;
      });
      ledger.handBack(KEEP_VOLUME, rebuiltPod + ": its old volume is kept: "
          + keptVolumes.stream().map(KeptVolume::toString).collect(Collectors.joining("; ")));
    }
    step(STOP_WRITERS, () -> {
      writersStopped = Ports.kubernetes("stop writers: scale " + deployments() + " to 0").stopWriters(target, runId());
      timeline.note(writersStopped.isEmpty() ? "the target names no Deployments" : "scaled to 0: " + replicas(writersStopped));
    });
    ledger.handBack(STOP_WRITERS, writersLeftStopped(replicas(writersStopped)));
    if (rebuiltPod != null) {
      recreateOnNewVolume();
    }
    restored = step(RESTORE, () -> Ports.restore("restore " + backup.key() + " into " + names.restored())
        .restoreBackup(server, target.backups(), backup, names.restored()));
    timeline.note(restored.partsRestored() + " parts restored" + (restored.partsAlreadyDone() > 0
        ? ", " + restored.partsAlreadyDone() + " found done by an earlier attempt" : "") + ", " + restored.bytes() + " bytes read");
    check = step(CHECK_RESTORE, () -> Ports.restore("check " + names.restored() + " against " + backup.key())
        .checkRestore(server, target.backups(), backup, names.restored()));
    if (!check.passed()) {
      throw new StopRun("the restored database " + names.restored() + " does not match the backup: " + String.join("; ", check.problems())
          + ". The live database " + names.live() + " is untouched");
    }
    phase("swapping");
    swap = step(SWAP, () -> Ports.restore("swap " + names.restored() + " in as " + names.live()
        + ", keeping the old as " + names.previous()).swapDatabases(server, names.live(), names.restored(), names.previous()));
    ledger.handBack(RESTORE, null);
    timeline.note(names.live() + " now holds the restored data; the replaced database is kept as " + names.previous());
    phase("verifying");
    VerificationResult verification = step(VERIFY, () -> Ports.postgres("verify " + names.live() + " on " + server.pod())
        .verifyPrimary(server, target.verification().integrityTables(), runId()));
    recovered(verification);
    if (!verification.passed()) {
      throw new StopRun(names.live() + " was restored but did not pass verification: " + String.join("; ", verification.problems()));
    }
    ledger.handBack(STOP_WRITERS, "Writers stay stopped, and " + names.live() + " is restored and verified: scale them back now: "
        + replicas(writersStopped));
    step(RESTART_WRITERS, () -> {
      Ports.kubernetes("bring writers back: " + replicas(writersStopped)).restartWriters(target, writersStopped);
      writersRestarted = true;
      timeline.note(writersStopped.isEmpty() ? "nothing to restart" : "scaled back: " + replicas(writersStopped));
    });
    ledger.handedBack(STOP_WRITERS);
    if (!writersStopped.isEmpty() && Workflow.getVersion(CHECK_WRITERS_CHANGE, Workflow.DEFAULT_VERSION, 1) == 1) {
      step(CHECK_WRITERS, () -> {
        try {
          Map<String, Integer> ready = Ports.kubernetes("wait for " + replicas(writersStopped) + " to be ready")
              .awaitWritersReady(target, writersStopped);
          timeline.note("ready: " + replicas(ready));
        } catch (ActivityFailure e) {
          throw new StopRun(names.live() + " is restored and verified and the writers were scaled back, but they are not all ready: "
              + Timeline.rootMessage(e));
        }
      });
    }
    return names.live() + " restored from " + backup.key() + " and verified";
  }

  /** What a person reads about the writers while they stay stopped: writers come back only onto a verified database. */
  private static String writersLeftStopped(String replicas) {
    return "Writers stay stopped (" + replicas + ", remembered on the Deployments as pgdr.io/replicas-before); bring them back once"
        + " the database is right";
  }

  /**
   * Finds where to restore: the live primary, or, when none answers, the pod to recreate on a new
   * volume (the Service's pod, else the StatefulSet's first). Returns why the run cannot go on, or null.
   */
  private String inspect() {
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
   */
  private void recreateOnNewVolume() {
    phase("rebuilding");
    step(RECREATE_POD, () -> {
      Ports.kubernetes("recreate " + rebuiltPod + " on a new volume").recreatePod(target, rebuiltPod, keptVolumes, runId());
      timeline.note("claims and pod deleted; the StatefulSet recreates " + rebuiltPod);
    });
    ServerState fresh = step(AWAIT_POD, () -> {
      PodState pod = Ports.kubernetes("wait for " + rebuiltPod + " to be ready on its new volume")
          .awaitPodReady(target, rebuiltPod, keptVolumes);
      server = ClusterDiagnosis.serverOf(target, pod);
      ServerState state = Ports.postgres("inspect " + rebuiltPod).inspectServer(server);
      timeline.note(rebuiltPod + " is ready: " + (!state.reachable() ? "its server does not answer (" + state.error() + ")"
          : state.inRecovery() ? "a standby" : "a primary, server " + state.serverVersion()));
      return state;
    });
    if (!fresh.reachable() || fresh.inRecovery()) {
      throw new StopRun(rebuiltPod + " came back on a new volume but " + (fresh.reachable() ? "as a standby" : "its server does not answer")
          + ": nothing was restored into it");
    }
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    RpoFigures rpo = rpo();
    boolean rpoExceeded = rpo.lostSeconds() > rpo.objectiveSeconds();
    String pod = rebuiltPod != null ? rebuiltPod : server.pod();
    Instant now = now();
    return new ApprovalRequest("restore", (rebuiltPod != null ? "recreate " + pod + " on a new volume and restore " : "restore ")
        + target.name() + " from " + backup.key() + " (taken until "
        + backup.dataAsOf() + ": up to " + Duration.ofSeconds((long) rpo.lostSeconds()) + " of writes lost"
        + (rpoExceeded ? ", ABOVE the RPO of " + target.objectives().rpo() : "") + ")",
        plan.lines(), backup.key(), rpo.lostSeconds(), rpoExceeded, target.approval().approvers(), now, approvalDeadline(now));
  }

  /** RPO of a restore: the writes between the backup's end and the incident are lost. */
  @Override
  protected RpoFigures rpo() {
    if (backup == null || backup.dataAsOf() == null) {
      return null;
    }
    double lost = Math.max(0, Duration.between(backup.dataAsOf(), incidentStart()).toMillis() / 1000.0);
    return new RpoFigures(lost, target.objectives().rpo().toSeconds(), "writes after the backup's snapshot at " + backup.dataAsOf());
  }

  @Override
  protected RestoreOutcome outcome() {
    if (backup == null) {
      return null;
    }
    return new RestoreOutcome(backup.key(), backup.format(), backup.dataAsOf(), names.restored(), names.live(),
        swap == null ? null : swap.keptAs(), writersStopped, writersRestarted,
        restored == null ? 0 : restored.partsTotal(), restored == null ? 0 : restored.partsRestored(),
        restored == null ? 0 : restored.partsAlreadyDone(), restored == null ? 0 : restored.bytes(), check, rebuiltPod, keptVolumes);
  }
}
