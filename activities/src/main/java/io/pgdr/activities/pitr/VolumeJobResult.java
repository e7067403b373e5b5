package io.pgdr.activities.pitr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;

/**
 * What a volume pod leaves as its container's termination message (at most 4096 bytes, so a
 * failure's message is cut): the step's result, or the failure the activity would have thrown.
 */
record VolumeJobResult(JsonNode result, String failureType, String failureMessage, boolean nonRetryable) {

  /** Kubernetes keeps 4096 bytes of a termination message; the JSON around the message fits in the rest. */
  private static final int MESSAGE_LIMIT = 3500;

  static VolumeJobResult of(Object result) {
    return new VolumeJobResult(VolumeJobSpec.JSON.valueToTree(result), null, null, false);
  }

  static VolumeJobResult of(ApplicationFailure failure) {
    String message = failure.getOriginalMessage();
    if (message != null && message.length() > MESSAGE_LIMIT) {
      message = message.substring(0, MESSAGE_LIMIT) + "…";
    }
    return new VolumeJobResult(null, failure.getType(), message, failure.isNonRetryable());
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
