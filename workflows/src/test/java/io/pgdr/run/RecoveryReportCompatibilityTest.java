package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reports of runs recorded before {@code badInput} existed still read, as failed recoveries. */
class RecoveryReportCompatibilityTest {

  private static RecoveryReport read(String json) {
    var payload = io.temporal.api.common.v1.Payload.newBuilder()
        .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
        .setData(com.google.protobuf.ByteString.copyFrom(json, StandardCharsets.UTF_8)).build();
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, RecoveryReport.class, RecoveryReport.class);
  }

  @Test
  void aReportWithoutBadInputReadsAsNoVerdict() {
    RecoveryReport old = read("{\"scenario\":\"RestoreFromBackup\",\"database\":\"fabrica-db\",\"outcome\":\"failed\",\"message\":\"x\"}");
    assertEquals(RecoveryReport.FAILED, old.outcome());
    assertNull(old.badInput());
    assertFalse(old.failedOnInput());
  }

  @Test
  void aReportWithBadInputReadsBack() {
    RecoveryReport report = read("{\"outcome\":\"failed\",\"message\":\"x\",\"badInput\":true}");
    assertTrue(report.failedOnInput());
  }
}
