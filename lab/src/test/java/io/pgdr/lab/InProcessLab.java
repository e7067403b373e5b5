package io.pgdr.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

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

  @Override
  public void close() {
    reconciler.close();
    api.close();
    pair.close();
  }
}
