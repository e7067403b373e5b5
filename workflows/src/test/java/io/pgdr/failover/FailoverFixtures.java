package io.pgdr.failover;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.ConfigMapRef;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Runbook 000's cluster: postgresql-0 was the primary and is gone, postgresql-1 is a standby. */
final class FailoverFixtures {

  private FailoverFixtures() {}

  static DatabaseTarget target(Duration rto, Duration rpo, Duration approvalTimeout, List<String> approvers) {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql",
        List.of("fabrica-api", "fabrica-workers"), new ConfigMapRef("fabrica-config", "DATABASE_HOST", "{pod}.postgresql"),
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(rto, rpo), new ApprovalPolicy(approvalTimeout, approvers),
        new Verification(List.of("stories")), null, null, null, null, null);
  }

  static DatabaseTarget target() {
    return target(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15), List.of());
  }

  static ClusterState cluster() {
    return new ClusterState(2, 1, List.of(
        new PodState("postgresql-0", "Running", false, 3, "10.0.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.0.0.11", 5432, false)),
        List.of("data-postgresql-0", "data-postgresql-1"),
        Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", "postgresql-0"), List.of());
  }

  static ServerState deadPrimary() {
    return ServerState.unreachable("postgresql-0", "10.0.0.10:5432", "Connection refused");
  }

  /** A standby that replayed everything it received; its last replay was {@code replayAgo} before now. */
  static ServerState standby(Instant lastReplayAt) {
    return new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/3000100", "0/3000100",
        lastReplayAt, false, "15.8", List.of(), false);
  }

  /** A standby that received WAL it has not replayed: promoting it loses nothing, but the estimate counts the gap. */
  static ServerState laggingStandby(Instant lastReplayAt) {
    return new ServerState("postgresql-1", "10.0.0.11:5432", true, null, true, null, "0/5000000", "0/3000000",
        lastReplayAt, false, "15.8", List.of(), false);
  }

  static PromotionResult promoted() {
    return new PromotionResult("postgresql-1", false, "0/3000100", "0/3000200");
  }

  static VerificationResult verified() {
    return new VerificationResult("postgresql-1", true, true, Map.of("stories", 42L), List.of("pgdr/active"), List.of());
  }

  static boolean isPod(PostgresServer server, String pod) {
    return server != null && pod.equals(server.pod());
  }
}
