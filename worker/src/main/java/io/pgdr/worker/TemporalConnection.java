package io.pgdr.worker;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;

/**
 * A client of a Temporal frontend, named as the Temporal CLI names it: an address (host:port)
 * and a namespace. Fails at once with a readable message when nothing answers there.
 */
public record TemporalConnection(String address, String namespace) implements AutoCloseable {

  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  private static final java.util.Map<TemporalConnection, WorkflowServiceStubs> OPEN = new java.util.concurrent.ConcurrentHashMap<>();

  public WorkflowClient client() {
    WorkflowServiceStubs stubs = OPEN.computeIfAbsent(this, c -> connect());
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  private WorkflowServiceStubs connect() {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try {
      stubs.getServerCapabilities(); // one round trip, so a wrong address fails here, not mid-command
      stubs.healthCheck();
    } catch (RuntimeException e) {
      stubs.shutdownNow();
      throw new TemporalUnavailableException("no Temporal service answers at " + address
          + " (set --temporal-address or TEMPORAL_ADDRESS; for the local lab: eval $(./pgdr lab env))", e);
    }
    return stubs;
  }

  @Override
  public void close() {
    WorkflowServiceStubs stubs = OPEN.remove(this);
    if (stubs != null) {
      stubs.shutdown();
      stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  public static final class TemporalUnavailableException extends RuntimeException {
    public TemporalUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
