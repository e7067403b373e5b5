package io.pgdr.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pgdr.ports.PatroniMember;
import io.pgdr.ports.PatroniView;
import io.pgdr.ports.ServerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which member Patroni would take: the least lag among the qualified, each other one with its reason. */
class PatroniCandidatesTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void theQualifiedReplicaFurthestAheadIsChosenAndEveryOtherSaysWhyNot() {
    PatroniView view = new PatroniView("pg-1", false, List.of(
        member("pg-0", "leader", "running", null, false),
        member("pg-1", "replica", "running", 0L, true),          // furthest ahead, but nofailover
        member("pg-2", "replica", "running", 4_096L, false),
        member("pg-3", "replica", "running", 2_000_000L, false), // past maximum_lag_on_failover
        member("pg-4", "replica", "starting", 0L, false),
        member("pg-5", "replica", "running", 8_192L, false)), 1_048_576L, false, null, null);
    Map<String, ServerState> sql = Map.of(
        "pg-0", ServerState.unreachable("pg-0", "10.0.0.10:5432", "Connection refused"),
        "pg-1", standby("pg-1", "0/3000100"), "pg-2", standby("pg-2", "0/3000000"), "pg-3", standby("pg-3", "0/2000000"),
        "pg-4", standby("pg-4", "0/3000100"), "pg-5", standby("pg-5", "0/2FFF000"));

    PatroniCandidates.Choice choice = PatroniCandidates.choose(view, sql, null, sql.get("pg-0"), NOW, Duration.ofHours(1));

    assertEquals("pg-2", choice.chosen().pod());
    assertEquals(List.of(
        "pg-1 is tagged nofailover: Patroni never makes it leader (remove the tag first)",
        "pg-3 is 2000000 bytes behind, over Patroni's maximum_lag_on_failover of 1048576",
        "pg-4 is starting, not a running replica"), choice.refused());
  }

  @Test
  void aNamedCandidateOutOfRecoveryIsRefusedAndNoneIsChosenInItsPlace() {
    PatroniView view = new PatroniView("pg-1", false, List.of(member("pg-0", "leader", "running", null, false),
        member("pg-1", "replica", "running", 0L, false), member("pg-2", "replica", "running", 0L, false)), null, false, null, null);
    Map<String, ServerState> sql = Map.of("pg-1", new ServerState("pg-1", "10.0.0.11:5432", true, null, false, "0/3000100", null, null,
        null, false, "15.8", List.of(), true), "pg-2", standby("pg-2", "0/3000100"));

    PatroniCandidates.Choice choice = PatroniCandidates.choose(view, sql, "pg-1", null, NOW, Duration.ofHours(1));

    assertNull(choice.chosen());
    assertEquals(List.of("pg-1 is out of recovery, yet Patroni lists it as a replica: settle which server is the primary by hand"),
        choice.refused());
  }

  private static PatroniMember member(String name, String role, String state, Long lag, boolean noFailover) {
    return new PatroniMember(name, role, state, "10.0.0.1", 5432, 1, lag, noFailover, false, false);
  }

  private static ServerState standby(String pod, String lsn) {
    return new ServerState(pod, "10.0.0.1:5432", true, null, true, null, lsn, lsn, NOW.minusSeconds(1), false, "15.8", List.of(), true);
  }
}
