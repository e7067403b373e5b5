package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How pgdr reaches PostgreSQL in each pod.
 *
 * @param database the application database (e.g. fabrica_db)
 * @param port the server port on each pod's IP (5432 unless the image says otherwise)
 * @param credentials where the activity finds the user and password; the target holds no secret
 * @param endpoints optional {@code pod -> host:port} used instead of the pod IP, for a worker
 *     outside the cluster (port-forwarding) and for the local lab; under the Service's name, where
 *     a connection through the Service goes instead of {@code <service>.<namespace>.svc}
 */
public record PostgresAccess(String database, Integer port, SecretRef credentials, Map<String, String> endpoints) {

  public PostgresAccess {
    port = port == null ? 5432 : port;
    endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!SqlIdentifiers.isPlain(database)) {
      problems.add("postgres.database: " + Echo.quoted(database) + " is not a valid database name"
          + " (letters, digits, '_', starting with a letter or '_', at most 63 characters)");
    }
    if (port < 1 || port > 65535) {
      problems.add("postgres.port: " + port + " is not a TCP port");
    }
    if (credentials == null) {
      problems.add("postgres.credentials: missing (a Kubernetes Secret or environment variables)");
    } else {
      problems.addAll(credentials.problems());
    }
    endpoints.forEach((pod, endpoint) -> {
      if (!endpoint.matches("[^:\\s]+:\\d{1,5}")) {
        problems.add("postgres.endpoints[" + Echo.quoted(pod) + "]: " + Echo.quoted(endpoint) + " is not host:port");
      }
    });
    return problems;
  }
}
