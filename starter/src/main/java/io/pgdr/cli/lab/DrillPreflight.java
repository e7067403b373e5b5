package io.pgdr.cli.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.kubernetes.KubernetesActivitiesImpl;
import io.pgdr.activities.postgres.PostgresActivitiesImpl;
import io.pgdr.cli.CliException;
import io.pgdr.cli.Operator;
import io.pgdr.cli.Runs;
import io.pgdr.cli.recovery.RecoveryStart;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The drill's checks before the kill, through the same code a failover runs, so a broken lab stops
 * the drill before anything is broken on purpose. They also leave the drill's freshly started worker
 * in the state of a long-running one: its Kubernetes, JDBC and Temporal paths loaded and connected.
 */
final class DrillPreflight {

  // bounds the rehearsal if the drill dies before rejecting it: it then times out, changing nothing
  private static final Duration REHEARSAL_APPROVAL_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration REHEARSAL_DEADLINE = Duration.ofSeconds(30);

  private final KubernetesActivitiesImpl kubernetes;
  private final PostgresActivitiesImpl postgres;

  DrillPreflight(KubernetesClient client) {
    this.kubernetes = new KubernetesActivitiesImpl(client);
    this.postgres = new PostgresActivitiesImpl(new CredentialResolver(client, System::getenv, CredentialResolver.SHELL_ENVIRONMENT));
  }

  /**
   * The diagnosis a failover starts with, called directly on the activity implementations the
   * worker serves, with the worker's Kubernetes client.
   *
   * @return one line: what the cluster and each server said, and how long it took
   */
  String diagnose(DatabaseTarget target) {
    long started = System.nanoTime();
    ClusterState cluster = kubernetes.describeCluster(target);
    List<String> servers = new ArrayList<>();
    for (PodState pod : cluster.pods()) {
      ServerState state = postgres.inspectServer(new PostgresServer(pod.name(), pod.host(), pod.port(),
          target.postgres().database(), target.namespace(), target.postgres().credentials()));
      servers.add(pod.name() + " " + (!state.reachable() ? "unreachable"
          : state.inRecovery() ? "standby at " + state.replayLsn() : "primary at " + state.currentLsn()));
    }
    return String.format("StatefulSet %d/%d ready; Service -> %s; %s (%d ms)", cluster.readyReplicas(),
        cluster.desiredReplicas(), cluster.servicePod(), String.join(", ", servers), millisSince(started));
  }

  /**
   * A dry run of the failover through Temporal and the worker: a ReplicaPromotion run without
   * pre-approval diagnoses and chooses its candidate, then stops at the approval gate, where the
   * drill rejects it. Nothing is fenced, promoted or repointed; the run ends ABORTED.
   *
   * @return one line: what the run would have done, and how long the rehearsal took
   */
  String rehearse(WorkflowClient client, DatabaseTarget target) throws InterruptedException {
    long started = System.nanoTime();
    DatabaseTarget rehearsal = withApprovalTimeout(target, REHEARSAL_APPROVAL_TIMEOUT);
    String workflowId = RecoveryStart.promoteReplica(client, new ReplicaPromotionRequest(rehearsal, null, Operator.name(), null));
    Runs runs = new Runs(client);
    ApprovalRequest pending;
    try {
      pending = awaitApproval(runs, workflowId);
    } finally {
      // rejected whatever happened above: a rehearsal must never be left waiting for a yes
      if (Runs.isOpen(runs.state(workflowId))) {
        runs.decide(workflowId, new ApprovalDecision(Operator.name(), "drill rehearsal before the kill (dry run)", false), false);
      }
    }
    RecoveryReport report = runs.report(workflowId);
    if (pending == null || !RecoveryReport.ABORTED.equals(report.outcome())) {
      throw CliException.unavailable("the drill's rehearsal run did not stop at the approval gate: "
          + report.outcome() + ": " + report.message(), "see the run: pgdr status " + workflowId);
    }
    return String.format("%s; rejected at the gate, %s (%d ms)", pending.summary(), report.outcome(), millisSince(started));
  }

  private static ApprovalRequest awaitApproval(Runs runs, String workflowId) throws InterruptedException {
    long deadline = System.nanoTime() + REHEARSAL_DEADLINE.toNanos();
    while (System.nanoTime() < deadline && Runs.isOpen(runs.state(workflowId))) {
      Optional<RunStatus> status = runs.status(workflowId);
      if (status.isPresent() && status.get().pendingApproval() != null) {
        return status.get().pendingApproval();
      }
      Thread.sleep(20);
    }
    return null;
  }

  private static DatabaseTarget withApprovalTimeout(DatabaseTarget t, Duration timeout) {
    return new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(), t.deployments(), t.configMap(),
        t.postgres(), t.objectives(), new ApprovalPolicy(timeout, t.approval().approvers()), t.verification(),
        t.notifications(), t.backups(), null, null, null);
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
