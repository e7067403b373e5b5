package io.pgdr.incident;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.FenceResult;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.ApprovalPolicy;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.Objectives;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The adapters of an outage, mocked: postgresql-0 was the primary and does not answer (its pod
 * Running, not ready, no restart under way), postgresql-1 is a standby that replayed everything.
 * Tests change what they need (the primary's pod, its server, the connections).
 */
public final class OutageScene {

  public static final String PRIMARY = "postgresql-0";
  public static final String REPLICA = "postgresql-1";

  public final KubernetesActivities kubernetes = mock(KubernetesActivities.class, withSettings().withoutAnnotations());
  public final PostgresActivities postgres = mock(PostgresActivities.class, withSettings().withoutAnnotations());
  public final NotificationActivities notifications = mock(NotificationActivities.class, withSettings().withoutAnnotations());
  public final Instant now;

  public OutageScene(TestWorkflowEnvironment env, Worker worker) {
    now = Instant.ofEpochMilli(env.currentTimeMillis());
    primaryPod(new PodState(PRIMARY, "Failed", false, 0, "10.0.0.10", 5432, false));
    when(kubernetes.podLogs(any(), anyList(), anyInt())).thenReturn(Map.of(PRIMARY, List.of("LOG:  database system is shut down"),
        REPLICA, List.of("LOG:  started streaming WAL from primary at 0/3000000 on timeline 1")));
    when(kubernetes.podUsage(any(), anyString())).thenReturn("no resource use: the cluster serves no metrics API (metrics.k8s.io) for pod " + PRIMARY);
    when(kubernetes.restartPod(any(), anyString(), anyString())).thenReturn(true);
    when(kubernetes.restartDeployments(any(), anyString())).thenReturn(List.of("fabrica-api"));
    primary(ServerState.unreachable(PRIMARY, "10.0.0.10:5432", "Connection refused"));
    when(postgres.inspectServer(argThat(s -> is(s, REPLICA)))).thenReturn(new ServerState(REPLICA, "10.0.0.11:5432", true, null, true,
        null, "0/3000100", "0/3000100", now, false, "15.8", List.of(), false));
    when(postgres.inspectServer(argThat(s -> is(s, "postgresql")))).thenReturn(ServerState.unreachable("postgresql", "postgresql.fabrica-agentes.svc:5432",
        "Connection refused"));
    when(postgres.fenceServer(any())).thenReturn(new FenceResult(PRIMARY, false, 0, "Connection refused"));
    when(postgres.promoteServer(any())).thenReturn(new PromotionResult(REPLICA, false, "0/3000100", "0/3000200"));
    when(postgres.verifyPrimary(any(), any(), anyString())).thenAnswer(call -> new VerificationResult(((PostgresServer) call.getArgument(0)).pod(),
        true, true, Map.of("stories", 42L), List.of(), List.of()));
    worker.registerActivitiesImplementations(kubernetes, postgres, notifications);
  }

  /** The primary's pod as Kubernetes shows it; null: deleted (the StatefulSet recreates it). */
  public void primaryPod(PodState pod) {
    List<PodState> pods = new java.util.ArrayList<>();
    if (pod != null) {
      pods.add(pod);
    }
    pods.add(new PodState(REPLICA, "Running", true, 0, "10.0.0.11", 5432, false));
    when(kubernetes.describeCluster(any())).thenReturn(new ClusterState(2, 1, pods, List.of("data-postgresql-0", "data-postgresql-1"),
        Map.of("app", "postgresql", "statefulset.kubernetes.io/pod-name", PRIMARY), List.of("5s Warning BackOff pod/postgresql-0")));
  }

  /** What the primary's server answers. */
  public void primary(ServerState state) {
    when(postgres.inspectServer(argThat(s -> is(s, PRIMARY)))).thenReturn(state);
  }

  /** The primary answers, with these connections. */
  public void primaryUp(ConnectionsReport connections) {
    primaryPod(new PodState(PRIMARY, "Running", true, 0, "10.0.0.10", 5432, false));
    primary(new ServerState(PRIMARY, "10.0.0.10:5432", true, null, false, "0/3000100", null, null, null, false, "15.8", List.of(), false));
    when(postgres.inspectServer(argThat(s -> is(s, "postgresql")))).thenReturn(new ServerState("postgresql",
        "postgresql.fabrica-agentes.svc:5432", true, null, false, "0/3000100", null, null, null, false, "15.8", List.of(), false));
    when(postgres.describeConnections(any(), any())).thenReturn(connections);
  }

  public static DatabaseTarget target(List<String> policies, String owner) {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of("fabrica-api"), null,
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret("postgresql-credentials"), null),
        new Objectives(Duration.ofMinutes(10), Duration.ofMinutes(1)), new ApprovalPolicy(Duration.ofMinutes(15), List.of(), policies),
        new Verification(List.of("stories")), null, null, null, null, owner);
  }

  public static DatabaseTarget target() {
    return target(List.of(), null);
  }

  private static boolean is(PostgresServer server, String pod) {
    return server != null && pod.equals(server.pod());
  }
}
