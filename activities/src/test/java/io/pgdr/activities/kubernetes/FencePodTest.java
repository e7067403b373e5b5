package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.KubernetesLabels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Kubernetes half of "fence before promote": the StatefulSet remembers, the pod carries the run. */
@EnableKubernetesMockClient(crud = true)
class FencePodTest {

  KubernetesClient client;
  KubernetesActivitiesImpl activities;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client);
  }

  @Test
  void fencingTwiceListsThePodOnce() {
    activities.fencePod(FabricaCluster.target(), "postgresql-0", "run-1");
    activities.fencePod(FabricaCluster.target(), "postgresql-0", "run-1");

    assertEquals("postgresql-0", statefulSetAnnotation());
    assertEquals("run-1", client.pods().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql-0").get()
        .getMetadata().getAnnotations().get(KubernetesLabels.FENCED_BY));
  }

  @Test
  void aSecondPodIsAddedToTheList() {
    activities.fencePod(FabricaCluster.target(), "postgresql-0", "run-1");
    activities.fencePod(FabricaCluster.target(), "postgresql-1", "run-2");

    assertEquals("postgresql-0,postgresql-1", statefulSetAnnotation());
  }

  @Test
  void aPodThatIsGoneIsFencedInTheStatefulSetAlone() {
    client.pods().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql-0").delete();

    activities.fencePod(FabricaCluster.target(), "postgresql-0", "run-1");

    assertEquals("postgresql-0", statefulSetAnnotation());
  }

  private String statefulSetAnnotation() {
    return client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").get()
        .getMetadata().getAnnotations().get(KubernetesLabels.FENCED_PODS);
  }
}
