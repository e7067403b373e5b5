package io.pgdr.failover;

import static io.pgdr.failover.FailoverFixtures.cluster;
import static io.pgdr.failover.FailoverFixtures.deadPrimary;
import static io.pgdr.failover.FailoverFixtures.promoted;
import static io.pgdr.failover.FailoverFixtures.standby;
import static io.pgdr.failover.FailoverFixtures.verified;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.FenceResult;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/** Adapters answering as runbook 000's failover needs (dead primary, healthy standby), for tests beyond the main one. */
final class FailoverMocks {

  final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  private final WorkflowClient client;
  private final String taskQueue;

  FailoverMocks(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
    when(kubernetes.describeCluster(any())).thenReturn(cluster());
    when(kubernetes.restartDeployments(any(), anyString())).thenReturn(List.of("fabrica-api", "fabrica-workers"));
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-0")))).thenReturn(deadPrimary());
    when(postgres.inspectServer(argThat(s -> FailoverFixtures.isPod(s, "postgresql-1")))).thenReturn(standby(Instant.ofEpochMilli(env.currentTimeMillis())));
    when(postgres.fenceServer(any())).thenReturn(new FenceResult("postgresql-0", false, 0, "Connection refused"));
    when(postgres.promoteServer(any())).thenReturn(promoted());
    when(postgres.verifyPrimary(any(), any(), anyString())).thenReturn(verified());
    worker.registerActivitiesImplementations(kubernetes, postgres, notifications);
  }

  /** Starts a failover with the production options, on the test worker's task queue. */
  ReplicaPromotionWorkflow start(DatabaseTarget target, ReplicaPromotionRequest request) {
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class, options(target));
    WorkflowClient.start(run::promote, request);
    return run;
  }

  WorkflowOptions options(DatabaseTarget target) {
    return WorkflowOptions.newBuilder(RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO)).setTaskQueue(taskQueue).build();
  }

  String taskQueue() {
    return taskQueue;
  }

  static RunStatus awaitStatus(ReplicaPromotionWorkflow run, Predicate<RunStatus> condition) throws InterruptedException {
    for (int i = 0; i < 600; i++) { // up to 15 s: a loaded machine is slow to run the first workflow task
      RunStatus status = run.status();
      if (condition.test(status)) {
        return status;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("run never reached the expected state; last: " + run.status());
  }

  static RunStatus awaitApproval(ReplicaPromotionWorkflow run) throws InterruptedException {
    return awaitStatus(run, s -> s.pendingApproval() != null);
  }

  void verifyNothingChanged() {
    verify(kubernetes, never()).fencePod(any(), anyString(), anyString());
    verify(postgres, never()).fenceServer(any());
    verify(postgres, never()).promoteServer(any());
    verify(kubernetes, never()).repointService(any(), anyString());
    verify(kubernetes, never()).repointConfigMap(any(), anyString());
    verify(kubernetes, never()).restartDeployments(any(), anyString());
  }
}
