package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * The API server did not answer (refused, timed out, connection lost). fabric8 says only
 * "Operation: [get] ... failed"; the failure names the API server, what went wrong on the wire and
 * the resource, so the run shows where to look. Retryable: an API server comes back.
 */
public final class ApiUnreachable {

  private ApiUnreachable() {}

  /** The failure for {@code e} when no HTTP answer came back; {@code e} itself when the server answered. */
  public static RuntimeException orSelf(KubernetesClientException e, String action, String apiUrl) {
    Throwable wire = wireCause(e);
    if (e.getCode() > 0 || wire == null) {
      return e;
    }
    return ApplicationFailure.newFailureWithCause(action + ": Kubernetes API " + withoutTrailingSlash(apiUrl)
        + " did not answer: " + describe(wire) + resource(e), FailureTypes.KUBERNETES_API_UNREACHABLE, e);
  }

  private static Throwable wireCause(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof TimeoutException) {
        return deepest(cause);
      }
    }
    return null;
  }

  // the innermost cause says it plainest ("Connection refused"); the wrappers repeat it with noise
  private static Throwable deepest(Throwable e) {
    Throwable deepest = e;
    while (deepest.getCause() != null && deepest.getCause() != deepest) {
      deepest = deepest.getCause();
    }
    return deepest;
  }

  private static String describe(Throwable wire) {
    String message = wire.getMessage();
    return message == null || message.isBlank() ? wire.getClass().getSimpleName() : message;
  }

  private static String resource(KubernetesClientException e) {
    if (e.getResourcePlural() == null) {
      return "";
    }
    String where = e.getName() == null ? (e.getNamespace() == null ? "" : " in " + e.getNamespace())
        : " " + (e.getNamespace() == null ? "" : e.getNamespace() + "/") + e.getName();
    return " (" + e.getResourcePlural() + where + ")";
  }

  private static String withoutTrailingSlash(String url) {
    return url != null && url.endsWith("/") ? url.substring(0, url.length() - 1) : String.valueOf(url);
  }
}
