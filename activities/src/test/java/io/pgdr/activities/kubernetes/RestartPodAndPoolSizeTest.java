package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A wait's pod restart and a pool recovery's raise, each done once and recognised by a retry. */
@EnableKubernetesMockClient(crud = true)
class RestartPodAndPoolSizeTest {

  KubernetesClient client;
  KubernetesActivitiesImpl activities;
  DatabaseTarget target;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client);
    target = FabricaCluster.target();
  }

  @Test
  void aPodIsDeletedOnceAndItsReplacementNeverByARetry() {
    String uid = pods().withName("postgresql-0").get().getMetadata().getUid();

    assertTrue(activities.restartPod(target, "postgresql-0", "run-1"));
    assertNull(pods().withName("postgresql-0").get(), "deleted: the StatefulSet recreates it");
    assertEquals("run-1/postgresql-0/" + uid, client.apps().statefulSets().inNamespace(target.namespace())
        .withName(target.statefulSet()).get().getMetadata().getAnnotations().get(KubernetesLabels.RESTARTED_POD));
    assertFalse(activities.restartPod(target, "postgresql-0", "run-1"), "gone: a retry deletes nothing");

    pods().resource(FabricaCluster.pod("postgresql-0", "10.0.0.20", false, 0)).create(); // the StatefulSet's replacement
    String replacement = pods().withName("postgresql-0").get().getMetadata().getUid();
    assertFalse(uid.equals(replacement), "a new pod, a new uid");
    assertFalse(activities.restartPod(target, "postgresql-0", "run-1"), "a retry finds the replacement and leaves it");
    assertEquals(replacement, pods().withName("postgresql-0").get().getMetadata().getUid());
  }

  @Test
  void aRaiseRecordsTheValueBeforeOnceAndKeepsTheOriginalAcrossRuns() {
    client.configMaps().inNamespace(target.namespace()).resource(new ConfigMapBuilder().withNewMetadata().withName("app-pool")
        .endMetadata().addToData("DATABASE_POOL_SIZE", "10").build()).create();

    assertEquals("10", activities.configMapValue(target, "app-pool", "DATABASE_POOL_SIZE"));
    assertEquals("10", activities.setConfigMapValue(target, "app-pool", "DATABASE_POOL_SIZE", "20", "run-1"));
    assertEquals("10", activities.setConfigMapValue(target, "app-pool", "DATABASE_POOL_SIZE", "20", "run-1"),
        "a retry of the same run returns the value before its first attempt, not its own");
    assertEquals("20", activities.configMapValue(target, "app-pool", "DATABASE_POOL_SIZE"));
    assertEquals("10", activities.setConfigMapValue(target, "app-pool", "DATABASE_POOL_SIZE", "30", "run-2"),
        "a later raise nobody put back between keeps the original to return to");
    assertEquals("run-2=10", client.configMaps().inNamespace(target.namespace()).withName("app-pool").get().getMetadata()
        .getAnnotations().get(KubernetesLabels.VALUE_BEFORE + "DATABASE_POOL_SIZE"));
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Pod, io.fabric8.kubernetes.api.model.PodList,
      io.fabric8.kubernetes.client.dsl.PodResource> pods() {
    return client.pods().inNamespace(target.namespace());
  }
}
