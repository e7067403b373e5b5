package io.pgdr.pool;

import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.TerminatedSessions;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Plan;
import io.pgdr.run.PlannedStep;
import io.pgdr.run.Ports;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryWorkflow;
import io.pgdr.run.RpoFigures;
import io.pgdr.run.StopRun;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

public class ConnectionPoolRecoveryWorkflowImpl extends RecoveryWorkflow implements ConnectionPoolRecoveryWorkflow {

  static final String DIAGNOSE = "diagnose";
  static final String CONNECTIONS = "connections";
  static final String TERMINATE = "terminate-idle";
  static final String VERIFY = "verify";
  static final String RECOUNT = "recount";
  static final String POOL_SIZE = "pool-size";
  static final String RAISE_POOL = "raise-pool";
  static final String RESTART_APPS = "restart-apps";

  private Duration threshold;
  private PostgresServer primary;
  private ConnectionsReport before;
  private ConnectionsReport after;
  private TerminatedSessions ended;
  private Integer raiseTo;
  /** The pool size key's value at the diagnosis (null: absent), when a raise was asked. */
  private String poolSizeBefore;
  private boolean raised;

  public ConnectionPoolRecoveryWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport recoverPool(PoolRecoveryRequest request) {
    threshold = request.threshold();
    raiseTo = request.raisePoolTo();
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new java.util.ArrayList<>(super.inputProblems());
    if (threshold.isNegative() || threshold.isZero()) {
      problems.add("idleLongerThan: " + threshold + " is not a positive duration");
    }
    if (raiseTo != null && raiseTo <= 0) {
      problems.add("raisePoolTo: " + raiseTo + " is not a pool size");
    }
    if (raiseTo != null && target.poolSize() == null) {
      problems.add("raisePoolTo: the target names no poolSize (configMap, key) the applications read their pool size from");
    }
    return problems;
  }

  @Override
  protected Plan diagnose() {
    step(DIAGNOSE, () -> {
      ClusterDiagnosis diagnosis = ClusterDiagnosis.run(target, timeline);
      ServerState live = diagnosis.livePrimary().orElseThrow(() -> new StopRun("no server answers as the primary: this is no pool"
          + " problem. A primary that is down is a failover (pgdr failover promote-replica) or a wait (runbook 004 scenario 1)"));
      primary = diagnosis.servers().get(live.pod());
    });
    before = step(CONNECTIONS, () -> {
      ConnectionsReport report = Ports.postgres("connections on " + primary.pod()).describeConnections(primary, threshold);
      note(report);
      return report;
    });
    if (raiseTo != null) {
      poolSizeBefore = step(POOL_SIZE, () -> {
        String value = Ports.kubernetes("read " + target.poolSize().key() + " of ConfigMap " + target.poolSize().configMap())
            .configMapValue(target, target.poolSize().configMap(), target.poolSize().key());
        timeline.note(target.poolSize().key() + " = " + (value == null ? "(absent)" : value) + " in ConfigMap " + target.poolSize().configMap());
        return value;
      });
    }
    if (before.idleInTransaction().isEmpty() && raiseTo == null) {
      throw new StopRun("no session on " + primary.pod() + " has been idle in a transaction for more than " + threshold.toSeconds()
          + " s: there is nothing pgdr would end (" + usage(before) + "). Long-running queries are shown above; ending one is a"
          + " person's decision");
    }
    Plan.Builder plan = plan();
    if (!before.idleInTransaction().isEmpty()) {
      plan.changes(TERMINATE, PlannedStep.POSTGRES, "end " + before.idleInTransaction().size() + " sessions idle in a transaction for more"
            + " than " + threshold.toSeconds() + " s on " + primary.pod() + ": " + sessions(before.idleInTransaction())
            + "; each only while it still is (never an active one, never pgdr's); their open transactions roll back",
            "The ended sessions' transactions rolled back: check those applications' logs for work they must redo");
    }
    if (raiseTo != null) {
      String where = target.poolSize().key() + " of ConfigMap " + target.poolSize().configMap();
      plan.changes(RAISE_POOL, PlannedStep.KUBERNETES, "set " + where + " from " + (poolSizeBefore == null ? "(absent)" : poolSizeBefore)
              + " to " + raiseTo + " (the value before recorded on the ConfigMap, annotation " + KubernetesLabels.VALUE_BEFORE
              + target.poolSize().key() + ")",
              where + " is " + raiseTo + " (was " + (poolSizeBefore == null ? "absent" : poolSizeBefore) + "): put it back once the"
                  + " applications' leak is fixed, then restart " + deployments())
          .changes(RESTART_APPS, PlannedStep.KUBERNETES, "rollout restart " + deployments() + ", so they read the new pool size", null)
          .note(raiseTo + " connections per application pod, times their replicas, must stay under the " + before.maxConnections()
              + " max_connections less " + before.reservedConnections() + " reserved");
    }
    return plan
        .reads(VERIFY, PlannedStep.POSTGRES, "verify " + primary.pod() + ": write probe (a WAL message: nothing is created), integrity"
            + " tables " + target.verification().integrityTables())
        .reads(RECOUNT, PlannedStep.POSTGRES, "the connections of " + primary.pod() + " again")
        .build();
  }

  @Override
  protected String change() {
    if (!before.idleInTransaction().isEmpty()) {
      terminate();
    }
    if (raiseTo != null) {
      step(RAISE_POOL, () -> Ports.kubernetes("set " + target.poolSize().key() + " to " + raiseTo)
          .setConfigMapValue(target, target.poolSize().configMap(), target.poolSize().key(), String.valueOf(raiseTo), runId()));
      raised = true;
      restartApps(RESTART_APPS);
    }
    // the sessions are gone for good: nothing is left to hand back but the instructions above
    verifyPrimary(VERIFY, primary, before.idleInTransaction().isEmpty() ? "had its pool size raised" : "had its idle sessions ended");
    after = step(RECOUNT, () -> {
      ConnectionsReport report = Ports.postgres("connections on " + primary.pod() + " after").describeConnections(primary, threshold);
      note(report);
      return report;
    });
    return (ended == null ? "" : ended.terminated().size() + " idle sessions ended on " + primary.pod() + "; ")
        + (raised ? target.poolSize().key() + " raised to " + raiseTo + " and " + deployments() + " restarted; " : "") + usage(after) + " now"
        + (after.nearLimit() ? ", still near the limit: the pool refills; find the leak, or raise max_connections by hand" : "");
  }

  private void terminate() {
    ended = step(TERMINATE, () -> {
      TerminatedSessions result = Ports.postgres("end idle sessions on " + primary.pod())
          .terminateIdleSessions(primary, before.idleInTransaction(), threshold);
      timeline.note("ended " + (result.terminated().isEmpty() ? "none" : sessions(result.terminated()))
          + (result.gone().isEmpty() ? "" : "; already gone: " + sessions(result.gone())));
      result.spared().forEach(timeline::note);
      return result;
    });
  }

  private void note(ConnectionsReport report) {
    timeline.note(usage(report) + "; by state " + report.byState());
    report.idleInTransaction().forEach(s -> timeline.note("idle in transaction: " + line(s)));
    report.longRunning().forEach(s -> timeline.note("running: " + line(s)));
  }

  private static String line(ClientSession s) {
    return PoolRecoveryOutcome.describe(s) + " user " + s.user() + (s.clientAddress() == null ? "" : " from " + s.clientAddress())
        + ": " + s.query();
  }

  private static String usage(ConnectionsReport report) {
    return report.clients() + " of " + report.maxConnections() + " connections (" + Math.round(report.usage() * 100)
        + "% of those open to applications)";
  }

  private static String sessions(List<ClientSession> list) {
    return String.join(", ", list.stream().map(PoolRecoveryOutcome::describe).toList());
  }

  @Override
  protected ApprovalRequest approvalRequest(Plan plan) {
    Instant now = now();
    String what = (before.idleInTransaction().isEmpty() ? "" : "end " + before.idleInTransaction().size()
        + " sessions idle in a transaction") + (raiseTo == null ? "" : (before.idleInTransaction().isEmpty() ? "" : " and ") + "raise "
        + target.poolSize().key() + " to " + raiseTo);
    return new ApprovalRequest(before.idleInTransaction().isEmpty() ? RAISE_POOL : TERMINATE, what + " on "
        + target.name() + " (" + usage(before) + ")", plan.lines(), primary.pod(), 0, false, target.approval().approvers(), now,
        approvalDeadline(now));
  }

  @Override
  protected RpoFigures rpo() {
    return before == null ? null : new RpoFigures(0, target.objectives().rpo().toSeconds(),
        "nothing committed is lost; the ended sessions' open transactions roll back");
  }

  @Override
  protected PoolRecoveryOutcome outcome() {
    return before == null ? null : new PoolRecoveryOutcome(primary.pod(), before.maxConnections(), before.clients(),
        after == null ? null : after.clients(), ended == null ? List.of() : ended.terminated(), ended == null ? List.of() : ended.spared(),
        raiseTo == null ? null : poolSizeBefore, raised ? raiseTo : null);
  }
}
