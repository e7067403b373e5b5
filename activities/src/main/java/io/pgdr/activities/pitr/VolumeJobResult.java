package io.pgdr.activities.pitr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What a volume pod leaves as its container's termination message (at most 4096 bytes, so a
 * failure's message is cut): the step's result, or the failure the activity would have thrown.
 */
record VolumeJobResult(JsonNode result, String failureType, String failureMessage, boolean nonRetryable) {

  /** Kubernetes keeps 4096 bytes of a termination message, cutting the rest (and the JSON with it). */
  static final int MESSAGE_BYTES = 4096;

  static VolumeJobResult of(Object result) {
    return new VolumeJobResult(VolumeJobSpec.JSON.valueToTree(result), null, null, false);
  }

  static VolumeJobResult of(ApplicationFailure failure) {
    return new VolumeJobResult(null, failure.getType(), failure.getOriginalMessage(), failure.isNonRetryable());
  }

  /** As JSON within {@link #MESSAGE_BYTES} UTF-8 bytes: a failure's message is cut until it fits. */
  String toMessage() {
    String json = toJson();
    String message = failureMessage;
    while (json.getBytes(StandardCharsets.UTF_8).length > MESSAGE_BYTES && message != null && !message.isEmpty()) {
      message = message.substring(0, message.length() / 2) + "…";
      json = new VolumeJobResult(result, failureType, message, nonRetryable).toJson();
    }
    return json;
  }

  /** Whether the step succeeded: a result is there (JSON's null reads back as a null node, not as null). */
  boolean succeeded() {
    return result != null && !result.isNull();
  }

  String toJson() {
    try {
      return VolumeJobSpec.JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return null when {@code message} is not one (a pod that died before writing it leaves its log's tail) */
  static VolumeJobResult parse(String message) {
    if (message == null || !message.strip().startsWith("{")) {
      return null;
    }
    try {
      return VolumeJobSpec.JSON.readValue(message, VolumeJobResult.class);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  <T> T resultAs(Class<T> type) {
    try {
      return VolumeJobSpec.JSON.treeToValue(result, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  ApplicationFailure failure(String job) {
    String message = "Job " + job + ": " + failureMessage;
    return nonRetryable ? ApplicationFailure.newNonRetryableFailure(message, failureType) : ApplicationFailure.newFailure(message, failureType);
  }
}
