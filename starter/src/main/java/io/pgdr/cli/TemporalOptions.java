package io.pgdr.cli;

import io.pgdr.target.Echo;
import io.pgdr.worker.TemporalConnection;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** Where the Temporal service is, named as the Temporal CLI names it. */
public final class TemporalOptions {

  /** A DNS name or IPv4 address, or an IPv6 one in brackets, then a port. */
  private static final Pattern HOST_PORT = Pattern.compile(
      "(?<host>[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+])"
          + ":(?<port>[0-9]{1,5})");

  @Option(names = "--temporal-address", description = "Temporal frontend host:port (env TEMPORAL_ADDRESS, default 127.0.0.1:7233)")
  String address;

  @Option(names = {"-n", "--namespace"}, description = "Temporal namespace (env TEMPORAL_NAMESPACE, default 'default')")
  String namespace;

  public TemporalConnection connection() {
    String env = System.getenv("TEMPORAL_ADDRESS");
    String chosen = firstOf(address, env, TemporalConnection.DEFAULT_ADDRESS);
    requireHostPort(chosen, isGiven(address) ? "--temporal-address" : "TEMPORAL_ADDRESS");
    return new TemporalConnection(chosen,
        firstOf(namespace, System.getenv("TEMPORAL_NAMESPACE"), TemporalConnection.DEFAULT_NAMESPACE));
  }

  /** Checked before connecting: gRPC would otherwise fail with its own words ("Invalid DNS name") as if the service were down. */
  static void requireHostPort(String address, String from) {
    var matcher = HOST_PORT.matcher(address);
    int port = matcher.matches() ? Integer.parseInt(matcher.group("port")) : 0;
    if (port < 1 || port > 65535) {
      throw CliException.badInput(from + " " + Echo.quoted(address) + " is not host:port",
          "e.g. 127.0.0.1:7233 or temporal-frontend.temporal:7233");
    }
  }

  private static boolean isGiven(String value) {
    return value != null && !value.isBlank();
  }

  private static String firstOf(String... values) {
    for (String value : values) {
      if (isGiven(value)) {
        return value;
      }
    }
    return null;
  }
}
