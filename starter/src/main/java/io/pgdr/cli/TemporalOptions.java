package io.pgdr.cli;

import io.pgdr.worker.TemporalConnection;
import picocli.CommandLine.Option;

/** Where the Temporal service is, named as the Temporal CLI names it. */
public final class TemporalOptions {

  @Option(names = "--temporal-address", description = "Temporal frontend host:port (env TEMPORAL_ADDRESS, default 127.0.0.1:7233)")
  String address;

  @Option(names = {"-n", "--namespace"}, description = "Temporal namespace (env TEMPORAL_NAMESPACE, default 'default')")
  String namespace;

  TemporalConnection connection() {
    return new TemporalConnection(
        firstOf(address, System.getenv("TEMPORAL_ADDRESS"), TemporalConnection.DEFAULT_ADDRESS),
        firstOf(namespace, System.getenv("TEMPORAL_NAMESPACE"), TemporalConnection.DEFAULT_NAMESPACE));
  }

  private static String firstOf(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
