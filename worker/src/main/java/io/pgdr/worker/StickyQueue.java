package io.pgdr.worker;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether the worker keeps its runs cached and takes their next workflow tasks on a queue of its
 * own (a sticky queue), and for how long the server waits for it there. Cached, a workflow task
 * applies only the new events; uncached, it replays the run's whole history (about 13 ms a task for
 * a drill, measured by bench/drill). A worker that dies strands nothing: a real Temporal server
 * sends the task to the shared queue once it has waited {@link #TIMEOUT} on the sticky one, the
 * delay a lost worker adds. Temporal's Java test service (the lab without the Temporal CLI) never
 * does, so against it the worker takes every task from the shared queue. The real server names its
 * version in GetSystemInfo; the test service names none.
 */
public final class StickyQueue {

  /**
   * What a lost worker costs a run at most, on top of noticing it; and what a busy one may take to
   * pick its task up. Whole seconds: with 200 ms each lost worker cost about 5 s instead
   * (StandingChaosFailoverIT took 95 s against 60 s without a sticky queue, and 61 s with 1 s).
   */
  public static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** No sticky queue: every task from the shared queue. */
  public static final Duration NONE = Duration.ZERO;

  private StickyQueue() {}

  /** {@link #TIMEOUT} on a server that reroutes a dead worker's tasks; {@link #NONE} on one that does not, or that does not say. */
  public static Duration timeoutFor(WorkflowServiceStubs service) {
    try {
      String version = service.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()).getServerVersion();
      return version == null || version.isBlank() ? NONE : TIMEOUT;
    } catch (StatusRuntimeException e) {
      return NONE;
    }
  }
}
