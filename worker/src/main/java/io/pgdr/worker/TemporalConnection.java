package io.pgdr.worker;

import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;

/**
 * A client of a Temporal frontend, named as the Temporal CLI names it: an address (host:port)
 * and a namespace. Fails at once with a readable message when nothing answers there.
 *
 * @param metricsScope where the SDK reports its metrics (and workflows and activities theirs); null
 *     for none, as for the CLI's short-lived commands
 */
public record TemporalConnection(String address, String namespace, Scope metricsScope) implements AutoCloseable {

  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  private static final java.util.Map<TemporalConnection, WorkflowServiceStubs> OPEN = new java.util.concurrent.ConcurrentHashMap<>();

  public TemporalConnection(String address, String namespace) {
    this(address, namespace, null);
  }

  /** The same frontend and namespace, with SDK metrics reported to {@code scope} (a worker's). */
  public TemporalConnection withMetrics(Scope scope) {
    return new TemporalConnection(address, namespace, scope);
  }

  public WorkflowClient client() {
    WorkflowServiceStubs stubs = OPEN.computeIfAbsent(this, c -> connect());
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace)
        .setIdentity(identity().temporalIdentity()).build());
  }

  /**
   * Who this connection says it is. pgdr has no TLS option yet, so it is the OS user at this host;
   * with TLS, pass the client certificate here and its subject is the identity, the one Temporal's
   * authorizer trusts.
   */
  public ClientIdentity identity() {
    return ClientIdentity.of(null);
  }

  private WorkflowServiceStubs connect() {
    WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder().setTarget(address);
    if (metricsScope != null) {
      options.setMetricsScope(metricsScope);
    }
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(options.build());
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
