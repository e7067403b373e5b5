package io.pgdr.target;

import java.net.URI;

/** Where escalations are sent besides the worker's log: an HTTP endpoint that accepts JSON. */
public record Notify(String webhookUrl) {
  public static final Notify NONE = new Notify(null);

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
}
