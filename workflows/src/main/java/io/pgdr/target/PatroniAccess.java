package io.pgdr.target;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How pgdr reaches Patroni's REST API on a Patroni-managed target: a URL template with
 * {@code {pod}} for the pod's name (in Kubernetes, e.g. {@code http://{pod}.postgresql:8008}), or
 * one URL per pod (the lab's loopback ports); the Basic auth credentials by reference when the
 * API asks for them. A target that has this section is never promoted with {@code pg_promote}.
 *
 * @param restUrl the REST API of any pod, {@code {pod}} standing for its name
 * @param endpoints the REST API per pod, winning over {@code restUrl}
 * @param credentials Patroni's {@code restapi.authentication}, by reference; null when it has none
 */
public record PatroniAccess(String restUrl, Map<String, String> endpoints, SecretRef credentials) {

  static final String POD = "{pod}";

  public PatroniAccess {
    endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
  }

  /** The REST API's base URL for {@code pod}, without a trailing slash; null for a pod the endpoints do not list and no template. */
  public String urlFor(String pod) {
    String url = endpoints.containsKey(pod) ? endpoints.get(pod) : restUrl == null || restUrl.isBlank() ? null : restUrl.replace(POD, pod);
    return url == null ? null : url.replaceAll("/+$", "");
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if ((restUrl == null || restUrl.isBlank()) && endpoints.isEmpty()) {
      problems.add("patroni: set restUrl (with " + POD + " for the pod's name, e.g. http://{pod}.postgresql:8008) or endpoints per pod");
    }
    if (restUrl != null && !restUrl.isBlank() && (!restUrl.contains(POD) || !isHttpUrl(restUrl.replace(POD, "pod-0")))) {
      problems.add("patroni.restUrl: " + Echo.quoted(restUrl) + " is not an http(s) URL template with " + POD + " for the pod's name");
    }
    endpoints.forEach((pod, url) -> {
      if (!isHttpUrl(url)) {
        problems.add("patroni.endpoints." + pod + ": " + Echo.quoted(url) + " is not an http(s) URL with a host");
      }
    });
    if (credentials != null) {
      problems.addAll(credentials.problems().stream().map(p -> p.replace("postgres.credentials", "patroni.credentials")).toList());
    }
    return problems;
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getScheme() != null && uri.getScheme().matches("https?") && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
