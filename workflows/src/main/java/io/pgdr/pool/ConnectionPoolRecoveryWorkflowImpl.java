package io.pgdr.pool;

import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
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

  private Duration threshold;
  private PostgresServer primary;
  private ConnectionsReport before;
  private ConnectionsReport after;
  private TerminatedSessions ended;

  public ConnectionPoolRecoveryWorkflowImpl() {
    super(SCENARIO);
  }

  @Override
  public RecoveryReport recoverPool(PoolRecoveryRequest request) {
    threshold = request.threshold();
    return recover(request.target(), request.incidentStart(), request.preApproval(), request.planOnly());
  }

  @Override
  protected List<String> inputProblems() {
    List<String> problems = new java.util.ArrayList<>(super.inputProblems());
    if (threshold.isNegative() || threshold.isZero()) {
      problems.add("idleLongerThan: " + threshold + " is not a positive duration");
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
    if (before.idleInTransaction().isEmpty()) {
      throw new StopRun("no session on " + primary.pod() + " has been idle in a transaction for more than " + threshold.toSeconds()
          + " s: there is nothing pgdr would end (" + usage(before) + "). Long-running queries are shown above; ending one is a"
          + " person's decision");
    }
    return plan()
        .changes(TERMINATE, PlannedStep.POSTGRES, "end " + before.idleInTransaction().size() + " sessions idle in a transaction for more"
            + " than " + threshold.toSeconds() + " s on " + primary.pod() + ": " + sessions(before.idleInTransaction())
            + "; each only while it still is (never an active one, never pgdr's); their open transactions roll back",
            "The ended sessions' transactions rolled back: check those applications' logs for work they must redo")
        .reads(VERIFY, PlannedStep.POSTGRES, "verify " + primary.pod() + ": write probe (a WAL message: nothing is created), integrity"
            + " tables " + target.verification().integrityTables())
        .reads(RECOUNT, PlannedStep.POSTGRES, "the connections of " + primary.pod() + " again")
        .build();
  }

  @Override
  protected String change() {
    ended = step(TERMINATE, () -> {
      TerminatedSessions result = Ports.postgres("end idle sessions on " + primary.pod())
          .terminateIdleSessions(primary, before.idleInTransaction(), threshold);
      timeline.note("ended " + (result.terminated().isEmpty() ? "none" : sessions(result.terminated()))
          + (result.gone().isEmpty() ? "" : "; already gone: " + sessions(result.gone())));
      result.spared().forEach(timeline::note);
      return result;
    });
    // the sessions are gone for good: nothing is left to hand back but the instruction above
    verifyPrimary(VERIFY, primary, "had its idle sessions ended");
    after = step(RECOUNT, () -> {
      ConnectionsReport report = Ports.postgres("connections on " + primary.pod() + " after").describeConnections(primary, threshold);
      note(report);
      return report;
    });
    return ended.terminated().size() + " idle sessions ended on " + primary.pod() + "; " + usage(after) + " now";
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
    return new ApprovalRequest(TERMINATE, "end " + before.idleInTransaction().size() + " sessions idle in a transaction on "
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
        after == null ? null : after.clients(), ended == null ? List.of() : ended.terminated(), ended == null ? List.of() : ended.spared());
  }
}
