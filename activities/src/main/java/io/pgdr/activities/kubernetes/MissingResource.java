package io.pgdr.activities.kubernetes;

import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;

/**
 * A resource the target names does not exist. Retrying cannot create it, so the failure is
 * non-retryable and its message names kind, namespace and name, as {@code kubectl} would.
 */
final class MissingResource {

  private MissingResource() {}

  static ApplicationFailure failure(String kind, String namespace, String name) {
    return ApplicationFailure.newNonRetryableFailure(
        kind + " " + namespace + "/" + name + " not found", FailureTypes.KUBERNETES_RESOURCE_MISSING);
  }
}
