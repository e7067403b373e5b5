package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writers stopped with their replica counts remembered on the Deployments, and brought back. */
@EnableKubernetesMockClient(crud = true)
class StopWritersTest {

  KubernetesClient client;
  KubernetesActivitiesImpl activities;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client);
  }

  @Test
  void stopsEveryDeploymentAndRemembersItsCountOnIt() {
    Map<String, Integer> before = activities.stopWriters(FabricaCluster.target(), "run-1");

    assertEquals(Map.of("fabrica-api", 3, "fabrica-workers", 2), before);
    assertEquals(0, deployment("fabrica-api").getSpec().getReplicas());
    assertEquals(0, deployment("fabrica-workers").getSpec().getReplicas());
    assertEquals("3", deployment("fabrica-api").getMetadata().getAnnotations().get(KubernetesLabels.REPLICAS_BEFORE));
    assertEquals("run-1", deployment("fabrica-workers").getMetadata().getAnnotations().get(KubernetesLabels.STOPPED_BY));
  }

  @Test
  void aSecondStopAfterAFailedRunStillKnowsTheCountsFromBefore() {
    activities.stopWriters(FabricaCluster.target(), "run-1");

    Map<String, Integer> again = activities.stopWriters(FabricaCluster.target(), "run-2");

    assertEquals(Map.of("fabrica-api", 3, "fabrica-workers", 2), again, "not the zero pgdr itself set");
    assertEquals(0, deployment("fabrica-api").getSpec().getReplicas());
  }

  @Test
  void restartBringsBackTheCountsAndDropsTheAnnotations() {
    Map<String, Integer> before = activities.stopWriters(FabricaCluster.target(), "run-1");

    activities.restartWriters(FabricaCluster.target(), before);
    activities.restartWriters(FabricaCluster.target(), before);

    assertEquals(3, deployment("fabrica-api").getSpec().getReplicas());
    assertEquals(2, deployment("fabrica-workers").getSpec().getReplicas());
    Map<String, String> annotations = deployment("fabrica-api").getMetadata().getAnnotations();
    assertNull(annotations == null ? null : annotations.get(KubernetesLabels.REPLICAS_BEFORE));
    assertNull(annotations == null ? null : annotations.get(KubernetesLabels.STOPPED_BY));
  }

  @Test
  void writersAreReadyOnceEachDeploymentReportsItsCount() {
    readyReplicas("fabrica-api", 3);
    readyReplicas("fabrica-workers", 2);

    assertEquals(Map.of("fabrica-api", 3, "fabrica-workers", 2),
        activities.awaitWritersReady(FabricaCluster.target(), Map.of("fabrica-api", 3, "fabrica-workers", 2)));
  }

  @Test
  void writersShortOfReadyFailNamingEachOne() {
    readyReplicas("fabrica-api", 1);
    readyReplicas("fabrica-workers", 2);
    List<Object> heartbeats = new java.util.ArrayList<>();
    KubernetesActivitiesImpl impatient = new KubernetesActivitiesImpl(client, java.time.Clock.systemUTC(),
        java.time.Duration.ofSeconds(2), heartbeats::add);

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> impatient.awaitWritersReady(FabricaCluster.target(), Map.of("fabrica-api", 3, "fabrica-workers", 2)));

    assertEquals(FailureTypes.WRITERS_NOT_READY, failure.getType());
    assertTrue(failure.getOriginalMessage().contains("fabrica-api 1/3 ready"), failure.getOriginalMessage());
    assertTrue(!failure.getOriginalMessage().contains("fabrica-workers"), "a ready Deployment is not named: " + failure.getOriginalMessage());
    assertTrue(heartbeats.contains("waiting for writers: fabrica-api 1/3 ready"), heartbeats.toString());
  }

  private void readyReplicas(String name, int ready) {
    client.apps().deployments().inNamespace(FabricaCluster.NAMESPACE).withName(name).editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(ready).withReadyReplicas(ready).build());
      return d;
    });
  }

  @Test
  void aMissingDeploymentStopsNothing() {
    DatabaseTarget t = FabricaCluster.target();
    DatabaseTarget typo = new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(),
        List.of("fabrica-api", "fabrica-wrokers"), t.configMap(), t.postgres(), t.objectives(), t.approval(),
        t.verification(), t.notifications(), t.backups(), null, null, null);

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> activities.stopWriters(typo, "run-1"));

    assertTrue(failure.getOriginalMessage().contains("fabrica-wrokers"));
    assertEquals(3, deployment("fabrica-api").getSpec().getReplicas(), "checked before any was scaled");
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(FabricaCluster.NAMESPACE).withName(name).get();
  }
}
