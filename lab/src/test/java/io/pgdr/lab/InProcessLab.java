package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;

/** The daemon's parts run inside the test JVM: a pair, the API stand-in with the fixture, the reconciler. */
final class InProcessLab implements AutoCloseable {

  final PostgresPair pair;
  final KubernetesApiStandIn api;
  final LabReconciler reconciler;

  private InProcessLab(PostgresPair pair, KubernetesApiStandIn api, LabReconciler reconciler) {
    this.pair = pair;
    this.api = api;
    this.reconciler = reconciler;
  }

  static InProcessLab start(Path dir) {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), PostgresBinaries.INSTALL_HINT);
    PostgresPair pair = PostgresPair.create(dir, message -> { });
    KubernetesApiStandIn api = null;
    try {
      api = KubernetesApiStandIn.start();
      KubernetesFixture.create(api.client(), pair);
      return new InProcessLab(pair, api, LabReconciler.start(api.client(), pair));
    } catch (RuntimeException e) {
      if (api != null) {
        api.close();
      }
      pair.close();
      throw e;
    }
  }

  KubernetesClient client() {
    return api.client();
  }

  /** The node's pod, or null. */
  Pod pod(PostgresNode node) {
    return client().pods().inNamespace(KubernetesFixture.NAMESPACE).withName(node.name()).get();
  }

  /** The claim, or null. */
  PersistentVolumeClaim claim(String name) {
    return client().persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName(name).get();
  }

  /** The volume Bound to the claim, asserting there is exactly one. */
  PersistentVolume boundVolume(String claim) {
    List<PersistentVolume> bound = client().persistentVolumes().list().getItems().stream()
        .filter(v -> claim.equals(v.getSpec().getClaimRef().getName()) && "Bound".equals(v.getStatus().getPhase()))
        .toList();
    assertEquals(1, bound.size(), "one volume bound to " + claim + ": " + bound);
    return bound.get(0);
  }

  @Override
  public void close() {
    reconciler.close();
    api.close();
    pair.close();
  }
}
