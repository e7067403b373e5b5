package io.pgdr.target;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** Where escalations are sent besides the worker's log: an HTTP endpoint that accepts JSON. */
public record Notify(String webhookUrl) {
  public static final Notify NONE = new Notify(null);

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (webhookUrl != null && !isHttpUrlWithHost(webhookUrl)) {
      // not echoed: a webhook's URL often holds its token
      problems.add("notifications.webhookUrl: not an http(s) URL with a host, e.g. https://hooks.example/pgdr (leave it out for no webhook)");
    }
    return problems;
  }

  /**
   * The webhook's host, for messages: its path and query often hold a token, which no run, report or
   * log may show. "the webhook" when the URL names no host.
   */
  public String webhookHost() {
    try {
      String host = webhookUrl == null ? null : URI.create(webhookUrl.strip()).getHost();
      return host == null ? "the webhook" : host;
    } catch (IllegalArgumentException notAUrl) {
      return "the webhook";
    }
  }

  // the worker POSTs to it: only http(s) to a named host, never file: or a URL the HTTP client would guess at
  private static boolean isHttpUrlWithHost(String url) {
    try {
      URI uri = new URI(url);
      return uri.getScheme() != null && uri.getScheme().matches("(?i)https?") && uri.getHost() != null && !uri.getHost().isBlank();
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
