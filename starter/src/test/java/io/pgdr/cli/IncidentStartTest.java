package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An incident start is a time in the last 30 days: older is a typo, later has not happened. */
class IncidentStartTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void aTimeWithinThirtyDaysIsTaken() {
    assertEquals(NOW.minus(Duration.ofDays(29)), IncidentStart.parse(NOW.minus(Duration.ofDays(29)).toString(), NOW));
    assertEquals(NOW.plusSeconds(30), IncidentStart.parse(NOW.plusSeconds(30).toString(), NOW), "a clock a little behind");
    assertNull(IncidentStart.parse(null, NOW));
  }

  @Test
  void olderThanThirtyDaysOrLaterThanNowIsBadInput() {
    CliException old = assertThrows(CliException.class, () -> IncidentStart.parse(NOW.minus(Duration.ofDays(31)).toString(), NOW));
    assertEquals(ExitCodes.BAD_INPUT, old.exitCode());
    assertTrue(old.getMessage().contains("more than 30 days ago"), old.getMessage());
    CliException future = assertThrows(CliException.class, () -> IncidentStart.parse(NOW.plus(Duration.ofMinutes(5)).toString(), NOW));
    assertTrue(future.getMessage().contains("in the future"), future.getMessage());
  }
}
