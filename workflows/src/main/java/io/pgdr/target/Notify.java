package io.pgdr.target;

/** Where escalations are sent besides the worker's log: an HTTP endpoint that accepts JSON. */
public record Notify(String webhookUrl) {
  public static final Notify NONE = new Notify(null);
}
