package io.pgdr.worker;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.StatusRuntimeException;
import io.pgdr.run.TaskQueues;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers every pgdr workflow and the adapters that serve them on the pgdr task queue. The
 * clients are built by the caller once and shared by all activities.
 */
public final class PgdrWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgdrWorker.class);
  /** Shorter than the readiness probe's timeout (deploy/kubernetes: 5 s): a late answer is no answer. */
  private static final Duration TEMPORAL_ANSWER = Duration.ofSeconds(2);

  private final WorkerFactory factory;

  private PgdrWorker(WorkerFactory factory) {
    this.factory = factory;
  }

  public static PgdrWorker start(WorkflowClient client, KubernetesClient kubernetes) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Duration sticky = StickyQueue.timeoutFor(client.getWorkflowServiceStubs());
    Worker worker = factory.newWorker(TaskQueues.PGDR, WorkerOptions.newBuilder()
        // a run's next task on this worker's own queue, replaying nothing, where the server hands a
        // dead worker's tasks on within a second; none against the Java test service, which never does
        .setStickyQueueScheduleToStartTimeout(sticky)
        // A restore heartbeats its progress; by default the SDK forwards a heartbeat at most every
        // 80% of the heartbeat timeout (24 s for a restore), so `pgdr status --follow` would show a
        // bar that moves twice a minute. Once a second is cheap and keeps the bar live.
        .setMaxHeartbeatThrottleInterval(Duration.ofSeconds(1))
        .build());
    Registrations.register(worker, client, kubernetes);
    factory.start();
    log.info("pgdr worker polling task queue '{}' in namespace '{}' ({})", TaskQueues.PGDR, client.getOptions().getNamespace(),
        sticky.isZero() ? "no sticky queue: the server does not say it reroutes a lost worker's tasks" : "sticky queue, rerouted after " + sticky);
    return new PgdrWorker(factory);
  }

  /**
   * Ready to take work: the factory polls (started, not shut down) and the Temporal frontend
   * answers a cheap call now. Meant for a readiness probe, so it never throws.
   */
  public boolean isReady() {
    if (!factory.isStarted() || factory.isShutdown()) {
      return false;
    }
    try {
      factory.getWorkflowClient().getWorkflowServiceStubs().blockingStub()
          .withDeadlineAfter(TEMPORAL_ANSWER.toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** Stops polling and lets running activities finish for a few seconds (graceful shutdown). */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  public void awaitTermination() {
    factory.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS);
  }
}
