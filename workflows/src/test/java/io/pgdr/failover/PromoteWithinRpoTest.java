package io.pgdr.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.ServerState;
import io.pgdr.run.PolicyCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conditions of the promote-within-rpo policy: each one that fails leaves the decision to a person. */
class PromoteWithinRpoTest {

  private static final Duration RPO = Duration.ofMinutes(1);
  private static final Instant INCIDENT = Instant.parse("2026-12-07T10:00:00Z");
  private static final ServerState DOWN = ServerState.unreachable("pg-0", "a", "Connection refused");
  private static final CandidateChoice ZERO = new CandidateChoice("pg-1", "0/3000100", 0, 0, "old primary unreachable", false, false);

  @Test
  void aFreshReplicaOfADeadFencedPrimaryIsApproved() {
    PolicyCheck check = Candidates.promoteWithinRpo(ZERO, List.of(DOWN, replica(INCIDENT.minusSeconds(2))), "pg-0", List.of("pg-0"), RPO, INCIDENT);
    assertEquals(List.of(), check.failed());
    assertEquals(3, check.held().size(), check.held().toString());
  }

  @Test
  void zeroBytesBehindAReplicaThatStoppedReceivingLongAgoIsNoMeasuredLoss() {
    PolicyCheck check = Candidates.promoteWithinRpo(ZERO, List.of(DOWN, replica(INCIDENT.minusSeconds(3600))), "pg-0", List.of("pg-0"), RPO,
        INCIDENT);
    assertTrue(check.failed().stream().anyMatch(f -> f.contains("more than the RPO before the incident")), check.failed().toString());
  }

  @Test
  void aPrimaryThatAnswersIsNeverFailedOverFromByPolicy() {
    ServerState live = new ServerState("pg-0", "a", true, null, false, "0/3000100", null, null, null, false, "15", List.of(), false);
    PolicyCheck check = Candidates.promoteWithinRpo(ZERO, List.of(live, replica(INCIDENT)), "pg-0", List.of("pg-0"), RPO, INCIDENT);
    assertTrue(check.failed().stream().anyMatch(f -> f.contains("answers as a primary")), check.failed().toString());
  }

  @Test
  void anUnmeasuredOrTooLargeLossAndAnUnfencedOrUnknownPrimaryAreRefused() {
    CandidateChoice unmeasured = new CandidateChoice("pg-1", "0/1", -1, -1, "already promoted", false, true);
    CandidateChoice above = new CandidateChoice("pg-1", "0/1", 9000, 120, "old primary unreachable", true, false);
    List<ServerState> servers = List.of(DOWN, replica(INCIDENT));
    assertTrue(Candidates.promoteWithinRpo(unmeasured, servers, "pg-0", List.of("pg-0"), RPO, INCIDENT).failed().get(0).contains("cannot be measured"));
    assertTrue(Candidates.promoteWithinRpo(above, servers, "pg-0", List.of("pg-0"), RPO, INCIDENT).failed().get(0).contains("above the RPO"));
    assertTrue(Candidates.promoteWithinRpo(ZERO, servers, "pg-0", List.of(), RPO, INCIDENT).failed().get(0).contains("not among the pods fenced"));
    assertTrue(Candidates.promoteWithinRpo(ZERO, servers, null, List.of("pg-0"), RPO, INCIDENT).failed().get(0).contains("not known"));
  }

  private static ServerState replica(Instant lastReplay) {
    return new ServerState("pg-1", "b", true, null, true, null, "0/3000100", "0/3000100", lastReplay, false, "15", List.of(), false);
  }
}
