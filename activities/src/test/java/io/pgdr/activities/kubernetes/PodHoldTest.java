package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Holding a pod for a rejoin, letting it start, lifting its fence, against the API in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class PodHoldTest {

  KubernetesClient client;
  private final DatabaseTarget target = FabricaCluster.target();

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
  }

  @Test
  void aPodThatRanBeforeIsDeletedOnceAndTheHeldPodItsControllerBringsIsLeftAlone() throws Exception {
    Thread.sleep(1100); // the API's creation times have whole seconds: the seeded pods are from before the hold
    Instant scheduled = Instant.now();
    KubernetesActivitiesImpl first = new KubernetesActivitiesImpl(client, Clock.fixed(scheduled, ZoneOffset.UTC));

    DataVolume volume = withTheStatefulSetController("Pending", () -> first.holdPod(target, "postgresql-0", "run-1"));

    assertEquals(new DataVolume("data-postgresql-0", "pvc-postgresql-0-1", null, FabricaCluster.NAMESPACE, FabricaCluster.STATEFUL_SET), volume,
        "a CSI volume: the worker does not reach its files");
    Pod held = pod("postgresql-0");
    assertEquals("10.42.0.99", held.getStatus().getPodIP(), "the pod that ran was deleted; its controller brought a new one, held");
    assertEquals("postgresql-0", annotations().get(KubernetesLabels.HELD_PODS));
    assertEquals("10.42.0.11", pod("postgresql-1").getStatus().getPodIP(), "the other pod is left alone");

    // a retry of the same activity, scheduled when the first was, leaves the held pod alone
    new KubernetesActivitiesImpl(client, Clock.fixed(scheduled, ZoneOffset.UTC)).holdPod(target, "postgresql-0", "run-1");
    assertEquals(held.getMetadata().getUid(), pod("postgresql-0").getMetadata().getUid(), "the held pod is not deleted again");
    assertEquals("postgresql-0", annotations().get(KubernetesLabels.HELD_PODS), "listed once");

    first.releasePod(target, "postgresql-0");
    first.releasePod(target, "postgresql-0");
    assertFalse(annotations().containsKey(KubernetesLabels.HELD_PODS), "no empty annotation left behind: " + annotations());
  }

  @Test
  void aPodWhoseStartUpIgnoresTheHoldIsNeverWorkedOn() throws Exception {
    Thread.sleep(1100);
    KubernetesActivitiesImpl kubernetes = new KubernetesActivitiesImpl(client, Clock.fixed(Instant.now(), ZoneOffset.UTC));

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> withTheStatefulSetController("Running", () -> kubernetes.holdPod(target, "postgresql-0", "run-1")));

    assertEquals("DataVolumeUnusable", failure.getType());
    assertTrue(failure.getOriginalMessage().contains("runs although StatefulSet postgresql lists it in pgdr.io/held-pods: its start-up"
        + " does not honour the hold"), failure.getOriginalMessage());
  }

  /** Runs {@code call} while a stand-in StatefulSet controller recreates postgresql-0 once deleted, in {@code phase}. */
  private <T> T withTheStatefulSetController(String phase, java.util.concurrent.Callable<T> call) throws Exception {
    Thread controller = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        if (pod("postgresql-0") == null) {
          Pod again = FabricaCluster.pod("postgresql-0", "10.42.0.99", false, 0);
          again.getStatus().setPhase(phase);
          client.pods().inNamespace(FabricaCluster.NAMESPACE).resource(again).create();
          return;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    controller.start();
    try {
      return call.call();
    } finally {
      controller.join(15_000);
    }
  }

  @Test
  void theFenceIsLiftedFromTheStatefulSetAndThePodOthersStay() {
    KubernetesActivitiesImpl kubernetes = new KubernetesActivitiesImpl(client);
    kubernetes.fencePod(target, "postgresql-0", "run-1");
    kubernetes.fencePod(target, "postgresql-1", "run-1");
    assertEquals("run-1", pod("postgresql-0").getMetadata().getAnnotations().get(KubernetesLabels.FENCED_BY));

    kubernetes.unfencePod(target, "postgresql-0");
    kubernetes.unfencePod(target, "postgresql-0");

    assertEquals("postgresql-1", annotations().get(KubernetesLabels.FENCED_PODS));
    Map<String, String> podAnnotations = pod("postgresql-0").getMetadata().getAnnotations();
    assertTrue(podAnnotations == null || !podAnnotations.containsKey(KubernetesLabels.FENCED_BY), String.valueOf(podAnnotations));
  }

  @Test
  void aPodWithoutABoundClaimHasNothingToBringBack() {
    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName("data-postgresql-1").delete();
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> new KubernetesActivitiesImpl(client).holdPod(target, "postgresql-1", "run-1"));
    assertEquals("DataVolumeUnusable", failure.getType());
    assertTrue(failure.getOriginalMessage().contains("data-postgresql-1 of pod postgresql-1 is missing"), failure.getOriginalMessage());
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(name).get();
  }

  private Map<String, String> annotations() {
    Map<String, String> annotations = client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName(FabricaCluster.STATEFUL_SET)
        .get().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }
}
