package io.pgdr.ports;

import io.temporal.internal.sync.AsyncInternal;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One port's calls and how each runs ({@link CallOptions}), declared beside the port interface. A
 * stub from {@link #stub(String)} takes each method's own options, so no caller chooses timeouts.
 * The table must name every method of its port exactly once: a missing or misspelt name fails
 * when the port is first loaded (and in {@code CallTablesTest}), never at 3 a.m.
 */
public final class CallTable<T> {

  private final Class<T> port;
  private final Map<String, CallOptions> byMethod;

  private CallTable(Class<T> port, Map<String, CallOptions> byMethod) {
    this.port = port;
    this.byMethod = Collections.unmodifiableMap(byMethod);
  }

  public static <T> Builder<T> of(Class<T> port) {
    return new Builder<>(port);
  }

  public Class<T> port() {
    return port;
  }

  /** Every method's options, by method name. */
  public Map<String, CallOptions> calls() {
    return byMethod;
  }

  public CallOptions optionsOf(String method) {
    CallOptions options = byMethod.get(method);
    if (options == null) {
      throw new IllegalArgumentException(port.getSimpleName() + " has no call " + method);
    }
    return options;
  }

  /**
   * A stub for calls from workflow code, carrying {@code summary} (shown by the Temporal UI on the
   * run's timeline). A stub is only a proxy: make one per call. It also works with
   * {@code Async.function(stub::method, ...)}: it marks itself as Temporal's own stubs do, so the
   * call is scheduled at once in the calling workflow thread, exactly as with a Temporal stub.
   */
  public T stub(String summary) {
    return stub(summary, false);
  }

  /**
   * As {@link #stub}, but a cancelled run waits for the call to stop (its next heartbeat, or its
   * heartbeat timeout) before it goes on: for a call whose undo must not race it, such as a drill's
   * restore into the scratch database its undo drops.
   */
  public T stubWaitingForCancellation(String summary) {
    return stub(summary, true);
  }

  private T stub(String summary, boolean waitForCancellation) {
    Object proxy = Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port, AsyncInternal.AsyncMarker.class},
        (self, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "toString" -> port.getSimpleName() + " stub (" + summary + ")";
              case "hashCode" -> System.identityHashCode(self);
              case "equals" -> self == args[0];
              default -> throw new UnsupportedOperationException(method.getName());
            };
          }
          CallOptions options = optionsOf(method.getName());
          return invoke(waitForCancellation && !options.local()
              ? Workflow.newActivityStub(port, ActivityOptions.newBuilder(options.activityOptions(summary))
                  .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED).build())
              : temporalStub(options, summary), method, args);
        });
    return port.cast(proxy);
  }

  /** A Temporal stub with {@code options} for every method: for calls a version gate keeps as they were recorded. */
  public T stubWith(CallOptions options, String summary) {
    return temporalStub(options, summary);
  }

  private T temporalStub(CallOptions options, String summary) {
    return options.local()
        ? Workflow.newLocalActivityStub(port, options.localOptions(summary))
        : Workflow.newActivityStub(port, options.activityOptions(summary));
  }

  private static Object invoke(Object stub, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(stub, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  public static final class Builder<T> {
    private final Class<T> port;
    private final Map<String, CallOptions> byMethod = new LinkedHashMap<>();

    private Builder(Class<T> port) {
      this.port = port;
    }

    public Builder<T> calls(CallOptions options, String... methods) {
      for (String method : methods) {
        if (byMethod.put(method, options) != null) {
          throw new IllegalStateException(port.getSimpleName() + "." + method + " is declared twice in its call table");
        }
      }
      return this;
    }

    public CallTable<T> build() {
      TreeSet<String> declared = new TreeSet<>();
      Arrays.stream(port.getMethods())
          .filter(m -> !m.isDefault() && !Modifier.isStatic(m.getModifiers()))
          .forEach(m -> declared.add(m.getName()));
      TreeSet<String> missing = new TreeSet<>(declared);
      missing.removeAll(byMethod.keySet());
      TreeSet<String> unknown = new TreeSet<>(byMethod.keySet());
      unknown.removeAll(declared);
      if (!missing.isEmpty() || !unknown.isEmpty()) {
        throw new IllegalStateException(port.getSimpleName() + "'s call table"
            + (missing.isEmpty() ? "" : " lacks " + missing) + (unknown.isEmpty() ? "" : " names no such methods " + unknown));
      }
      return new CallTable<>(port, byMethod);
    }
  }
}
