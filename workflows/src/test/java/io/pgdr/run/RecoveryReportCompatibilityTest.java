package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.PromotionOutcome;
import io.pgdr.restore.RestoreOutcome;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reports of runs recorded before {@code badInput} existed still read, as failed recoveries; reports
 * from before scenarios owned their results read into those results; new reports keep their type.
 */
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

  @Test
  void aFailoverReportFromBeforeScenarioResultsReadsAsAPromotionOutcome() {
    RecoveryReport old = read("{\"scenario\":\"ReplicaPromotion\",\"outcome\":\"succeeded\",\"message\":\"x\",\"newPrimary\":\"postgresql-1\","
        + "\"rpo\":{\"lostBytes\":0,\"lostSeconds\":0.5,\"objectiveSeconds\":60,\"basis\":\"last primary position\"}}");
    assertEquals("postgresql-1", assertInstanceOf(PromotionOutcome.class, old.result()).newPrimary());
    assertEquals(0.5, old.rpo().lostSeconds());
    assertTrue(old.changes().isEmpty());
  }

  @Test
  void aRestoreReportFromBeforeScenarioResultsReadsAsARestoreOutcome() {
    RecoveryReport old = read("{\"scenario\":\"RestoreFromBackup\",\"outcome\":\"succeeded\",\"message\":\"x\",\"newPrimary\":\"postgresql-0\","
        + "\"restore\":{\"backupKey\":\"db/fabrica.dump\",\"backupFormat\":\"custom\",\"restoredInto\":\"fabrica_db_restore_1\","
        + "\"liveDatabase\":\"fabrica_db\",\"previousKeptAs\":\"fabrica_db_before_1\",\"writersRestarted\":true,\"partsTotal\":3}}");
    RestoreOutcome restore = assertInstanceOf(RestoreOutcome.class, old.result());
    assertEquals("db/fabrica.dump", restore.backupKey());
    assertEquals("fabrica_db_before_1", restore.previousKeptAs());
  }

  @Test
  void aReportKeepsItsScenariosResultThroughTemporal() {
    RecoveryReport report = new RecoveryReport("ReplicaPromotion", "fabrica-db", "recovery-fabrica-agentes.postgresql", RecoveryReport.SUCCEEDED,
        "postgresql-1 is the new primary", null, null, null, new RpoFigures(0.5, 60, "basis"), List.of(), List.of(), null,
        List.of(PlannedStep.changes("promote", PlannedStep.POSTGRES, "promote postgresql-1", null)),
        List.of(new ChangeRecord("promote", PlannedStep.POSTGRES, "promote postgresql-1", ChangeRecord.MADE, null)),
        new PromotionOutcome("postgresql-1", "postgresql-0", "0/3000000", 0L, false, List.of("postgresql-0")), null);
    var payload = DefaultDataConverter.STANDARD_INSTANCE.toPayload(report).orElseThrow();
    assertTrue(payload.getData().toStringUtf8().contains("\"kind\":\"replica-promotion\""), payload.getData().toStringUtf8());

    RecoveryReport back = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, RecoveryReport.class, RecoveryReport.class);
    assertEquals(report, back);
    assertEquals("new primary", back.result().facts().get(0).label());
  }
}
