package io.pgdr.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgdr.incident.Alert;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Alertmanager webhook notification (version 4), checked and read into alerts by the database
 * each names: the {@code namespace} and {@code statefulset} labels. Anything malformed is refused
 * whole, with the reason ({@link BadPayload}), before anything starts.
 *
 * @param receiver the Alertmanager receiver that sent it
 * @param byDatabase alerts by {@code namespace/statefulset}, in the order they came
 */
record AlertmanagerPayload(String receiver, String summary, Map<String, List<Alert>> byDatabase) {

  /** Largest body read: Alertmanager sends far less unless max_alerts is unbounded and a fleet is down. */
  static final int MAX_BYTES = 1024 * 1024;
  static final String NAMESPACE = "namespace";
  static final String STATEFULSET = "statefulset";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Alertmanager's "no end yet": Go's zero time. */
  private static final Instant GO_ZERO_TIME_BEFORE = Instant.parse("0002-01-01T00:00:00Z");

  static AlertmanagerPayload parse(byte[] body) {
    if (body.length > MAX_BYTES) {
      throw new BadPayload("the notification is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new BadPayload("not JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new BadPayload("not an Alertmanager notification: a JSON object is expected");
    }
    if (!"4".equals(root.path("version").asText(null))) {
      throw new BadPayload("version " + root.path("version") + ": pgdr reads Alertmanager's webhook version \"4\"");
    }
    JsonNode alerts = root.path("alerts");
    if (!alerts.isArray() || alerts.isEmpty()) {
      throw new BadPayload("no alerts[] in the notification");
    }
    Map<String, List<Alert>> byDatabase = new LinkedHashMap<>();
    for (int i = 0; i < alerts.size(); i++) {
      JsonNode alert = alerts.get(i);
      String where = "alerts[" + i + "]";
      JsonNode labels = alert.path("labels");
      String name = text(labels, "alertname", where + ".labels");
      if (!Alert.KNOWN.contains(name)) {
        throw new BadPayload(where + ": alert " + name + " is not one pgdr acts on (" + String.join(", ", Alert.KNOWN) + ")");
      }
      String namespace = text(labels, NAMESPACE, where + ".labels");
      String statefulSet = text(labels, STATEFULSET, where + ".labels");
      String status = alert.path("status").asText(null);
      if (!Alert.FIRING.equals(status) && !Alert.RESOLVED.equals(status)) {
        throw new BadPayload(where + ".status: " + status + " is neither firing nor resolved");
      }
      Instant startsAt = time(alert, "startsAt", where);
      if (startsAt == null) {
        throw new BadPayload(where + ".startsAt: missing");
      }
      Instant endsAt = time(alert, "endsAt", where);
      String fingerprint = alert.path("fingerprint").asText(null);
      if (fingerprint == null || fingerprint.isBlank()) {
        throw new BadPayload(where + ".fingerprint: missing");
      }
      String summary = alert.path("annotations").path("summary").asText(null);
      byDatabase.computeIfAbsent(namespace + "/" + statefulSet, k -> new ArrayList<>()).add(new Alert(name, status, startsAt,
          Alert.RESOLVED.equals(status) ? endsAt : null, fingerprint, labels.path("pod").asText(null), cut(summary)));
    }
    return new AlertmanagerPayload(root.path("receiver").asText(null), cut(root.path("commonAnnotations").path("summary").asText(null)),
        byDatabase);
  }

  private static String text(JsonNode node, String field, String where) {
    String value = node.path(field).asText(null);
    if (value == null || value.isBlank()) {
      throw new BadPayload(where + "." + field + ": missing" + (field.equals(NAMESPACE) || field.equals(STATEFULSET)
          ? " (pgdr finds the database's target by the labels namespace and statefulset)" : ""));
    }
    return value;
  }

  private static Instant time(JsonNode alert, String field, String where) {
    String value = alert.path(field).asText(null);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Instant at = OffsetDateTime.parse(value).toInstant();
      return at.isBefore(GO_ZERO_TIME_BEFORE) ? null : at;
    } catch (DateTimeParseException e) {
      throw new BadPayload(where + "." + field + ": " + value + " is not an RFC 3339 time");
    }
  }

  private static String cut(String text) {
    return text == null ? null : text.length() <= 200 ? text : text.substring(0, 197) + "...";
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** A notification pgdr refuses: answered 400 with this message. */
  static final class BadPayload extends RuntimeException {
    BadPayload(String message) {
      super(message);
    }
  }
}
