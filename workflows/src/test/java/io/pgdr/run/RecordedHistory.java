package io.pgdr.run;

import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A history recorded from a real run on the lab, kept under {@code src/test/resources/histories}. */
public final class RecordedHistory {

  private RecordedHistory() {}

  public static WorkflowExecutionHistory load(String file) throws IOException {
    try (InputStream in = RecordedHistory.class.getResourceAsStream("/histories/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing recorded history " + file);
      }
      return WorkflowExecutionHistory.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
