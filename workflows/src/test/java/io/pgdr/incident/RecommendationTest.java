package io.pgdr.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.failover.CandidateChoice;
import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.PodState;
import io.pgdr.ports.ServerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runbooks' rules, in their order, on what an assessment found. */
class RecommendationTest {

  private static final Duration RPO = Duration.ofMinutes(1);
  private static final ServerState PRIMARY = new ServerState("pg-0", "a", true, null, false, "0/1", null, null, null, false, "15", List.of(), false);
  private static final CandidateChoice WITHIN = new CandidateChoice("pg-1", "0/1", 0, 0.4, "old primary unreachable", false, false);
  private static final CandidateChoice ABOVE = new CandidateChoice("pg-1", "0/1", 9000, 600, "old primary unreachable", true, false);
  private static final ClientSession IDLE = new ClientSession(7, Instant.EPOCH, "app", "api", null, "idle in transaction", 900, "UPDATE");

  @Test
  void aDeadPrimaryWithAReplicaIsAPromotionWhateverTheLossTheApprovalWeighsIt() {
    Recommendation within = Recommendation.of(down(pod("Failed", false, 0), WITHIN, false));
    assertEquals("ReplicaPromotion", within.scenario());
    assertTrue(within.startable());
    assertTrue(within.reasons().stream().anyMatch(r -> r.contains("within the RPO of 60 s")), within.reasons().toString());
    Recommendation above = Recommendation.of(down(pod("Failed", false, 0), ABOVE, false));
    assertEquals("ReplicaPromotion", above.scenario());
    assertTrue(above.reasons().stream().anyMatch(r -> r.contains("ABOVE the RPO")), above.reasons().toString());
  }

  @Test
  void onAPatroniTargetOnlyPatroniFailsOver() {
    assertEquals("PatroniFailover", Recommendation.of(down(pod("Failed", false, 0), WITHIN, true)).scenario());
  }

  @Test
  void aPodKubernetesIsBringingBackIsAWait() {
    assertEquals("TransientOutage", Recommendation.of(down(null, WITHIN, false)).scenario(), "deleted, being recreated");
    assertEquals("TransientOutage", Recommendation.of(down(pod("Pending", false, 0), WITHIN, false)).scenario());
    assertEquals("TransientOutage", Recommendation.of(down(pod("Running", false, 3), WITHIN, false)).scenario(), "restarting");
    Recommendation noReplica = Recommendation.of(down(pod("Failed", false, 0), null, false));
    assertEquals("TransientOutage", noReplica.scenario(), "no replica: wait and restart");
    assertTrue(noReplica.reasons().stream().anyMatch(r -> r.startsWith("no replica answers")), noReplica.reasons().toString());
  }

  @Test
  void aServerStartingUpIsComingBackAndAFullOneIsAlive() {
    Assessment starting = new Assessment(false, "pg-0", pod("Running", false, 0), null, "FATAL: the database system is starting up", WITHIN,
        null, false, false, RPO);
    assertEquals("TransientOutage", Recommendation.of(starting).scenario(), "crash recovery in a running container");
    Assessment full = new Assessment(false, "pg-0", pod("Running", true, 0), null, "FATAL: sorry, too many clients already", WITHIN,
        null, false, false, RPO);
    Recommendation alive = Recommendation.of(full);
    assertNull(alive.scenario(), "never a failover from a primary that is only full");
    assertTrue(alive.reasons().stream().anyMatch(r -> r.contains("refuses new connections")), alive.reasons().toString());
  }

  @Test
  void connectionsNearTheLimitNeedIdleTransactionsForPoolRecovery() {
    assertEquals("ConnectionPoolRecovery", Recommendation.of(up(connections(90, List.of(IDLE)), false, true)).scenario());
    Recommendation busy = Recommendation.of(up(connections(90, List.of()), false, true));
    assertNull(busy.scenario(), "nothing pgdr would end");
    assertFalse(busy.startable());
    assertNull(Recommendation.of(up(connections(40, List.of(IDLE)), false, true)).scenario(), "far from the limit");
  }

  @Test
  void badDataIsRestoreOrPitrNeverStarted() {
    Recommendation bad = Recommendation.of(up(connections(10, List.of()), true, true));
    assertEquals(Recommendation.RESTORE_OR_PITR, bad.scenario());
    assertFalse(bad.startable());
    assertTrue(Assessment.saysDataIsBad("Someone DROPPED the orders table"));
    assertFalse(Assessment.saysDataIsBad("checkout fails with connection refused"));
  }

  @Test
  void aHealthyDatabaseNeedsNothingAndAServiceThatMissesItIsSaid() {
    Recommendation healthy = Recommendation.of(up(connections(10, List.of()), false, true));
    assertNull(healthy.scenario());
    assertTrue(healthy.reasons().get(healthy.reasons().size() - 1).contains("nothing to recover"), healthy.reasons().toString());
    Recommendation missed = Recommendation.of(up(connections(10, List.of()), false, false));
    assertTrue(missed.reasons().stream().anyMatch(r -> r.contains("not through the Service")), missed.reasons().toString());
  }

  private static PodState pod(String phase, boolean ready, int restarts) {
    return new PodState("pg-0", phase, ready, restarts, "10.0.0.1", 5432, false);
  }

  private static Assessment down(PodState primaryPod, CandidateChoice candidate, boolean patroni) {
    return new Assessment(patroni, "pg-0", primaryPod, null, "Connection refused", candidate, null, false, false, RPO);
  }

  private static Assessment up(ConnectionsReport connections, boolean dataBad, boolean serviceAnswers) {
    return new Assessment(false, "pg-0", pod("Running", true, 0), PRIMARY, null, null, connections, serviceAnswers, dataBad, RPO);
  }

  private static ConnectionsReport connections(int clients, List<ClientSession> idle) {
    return new ConnectionsReport(103, 3, Map.of("active", clients), idle, List.of());
  }
}
