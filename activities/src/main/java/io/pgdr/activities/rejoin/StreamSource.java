package io.pgdr.activities.rejoin;

import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;

/** Where a rejoined standby streams from ({@code host:port}): the Service that follows the primary. */
record StreamSource(String host, int port) {

  static StreamSource parse(String endpoint) {
    int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
    try {
      if (colon > 0) {
        return new StreamSource(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw ApplicationFailure.newNonRetryableFailure("where the standby streams from must be host:port, got '" + endpoint + "'",
        FailureTypes.REJOIN_FAILED);
  }
}
