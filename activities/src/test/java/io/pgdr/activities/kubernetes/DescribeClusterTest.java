package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PromotionIntent;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** describeCluster reads what runbook 000 §2.1 reads with kubectl. */
@EnableKubernetesMockClient(crud = true)
class DescribeClusterTest {

  KubernetesClient client;
  KubernetesActivitiesImpl activities;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client);
  }

  @Test
  void readsReplicasPodsClaimsSelectorAndWarnings() {
    ClusterState state = activities.describeCluster(FabricaCluster.target());

    assertEquals(2, state.desiredReplicas());
    assertEquals(1, state.readyReplicas());
    assertEquals(List.of(
        new PodState("postgresql-0", "Running", false, 5, "10.42.0.10", 5432, false),
        new PodState("postgresql-1", "Running", true, 0, "10.42.0.11", 5432, false)), state.pods());
    assertEquals(List.of("data-postgresql-0", "data-postgresql-1"), state.volumeClaims());
    assertEquals("postgresql-0", state.servicePod());
    assertEquals(List.of(
        "postgresql-0 Unhealthy: Readiness probe failed (x3)",
        "postgresql-0 BackOff: Back-off restarting failed container (x3)"), state.recentEvents());
  }

  @Test
  void anEndpointOverrideReplacesThePodAddress() {
    ClusterState state = activities.describeCluster(FabricaCluster.target(Map.of("postgresql-1", "127.0.0.1:15433")));

    PodState standby = state.pods().get(1);
    assertEquals("127.0.0.1", standby.host());
    assertEquals(15433, standby.port());
    assertEquals("10.42.0.10", state.pods().get(0).host());
  }

  @Test
  void aFencedPodIsReportedFenced() {
    activities.fencePod(FabricaCluster.target(), "postgresql-0", "run-1");

    ClusterState state = activities.describeCluster(FabricaCluster.target());

    assertTrue(state.pods().get(0).fenced());
    assertFalse(state.pods().get(1).fenced());
  }

  @Test
  void aRecordedPromotionIsReadBackAsWrittenAndAFencedPodsListIsKept() {
    PromotionIntent intent = new PromotionIntent("run-1", "postgresql-1", "0/3000100", 256, 1.5, "old primary unreachable", false);
    activities.fencePod(FabricaCluster.target(), "postgresql-0", "run-1");
    activities.recordPromotionIntent(FabricaCluster.target(), intent);
    activities.recordPromotionIntent(FabricaCluster.target(), intent); // a retry writes the same

    ClusterState state = activities.describeCluster(FabricaCluster.target());

    assertEquals(intent, state.promotion());
    assertTrue(state.pods().get(0).fenced(), "the fence annotation is not touched by the record");
  }

  @Test
  void anUnreadablePromotionRecordIsNone() {
    client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql")
        .edit(sts -> new StatefulSetBuilder(sts).editMetadata().addToAnnotations(KubernetesLabels.PROMOTION, "{not json").endMetadata().build());

    assertNull(activities.describeCluster(FabricaCluster.target()).promotion());
  }

  @Test
  void aMissingStatefulSetIsANonRetryableFailureNamingIt() {
    client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").delete();

    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> activities.describeCluster(FabricaCluster.target()));

    assertEquals("StatefulSet fabrica-agentes/postgresql not found", failure.getOriginalMessage());
    assertEquals(FailureTypes.KUBERNETES_RESOURCE_MISSING, failure.getType());
    assertTrue(failure.isNonRetryable());
  }

  @Test
  void aMissingServiceIsANonRetryableFailureNamingIt() {
    client.services().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").delete();

    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> activities.describeCluster(FabricaCluster.target()));

    assertEquals("Service fabrica-agentes/postgresql not found", failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
  }
}
