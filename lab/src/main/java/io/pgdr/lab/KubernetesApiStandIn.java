package io.pgdr.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * The lab's Kubernetes API: fabric8's mock server in CRUD mode (objects are stored, listed,
 * patched, watched; no controllers run, which is what {@link LabReconciler} is for), on loopback
 * over plain HTTP so any kubeconfig-driven client can use it.
 */
public final class KubernetesApiStandIn implements AutoCloseable {

  // held statically: java.util.logging forgets levels set on loggers nobody references
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    // the mock logs every request at INFO; the reconciler alone makes ten a second
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private KubernetesApiStandIn(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  public static KubernetesApiStandIn start() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new KubernetesApiStandIn(server);
  }

  /** e.g. {@code http://127.0.0.1:41234} */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** An in-process client of this server. */
  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig that points kubectl or any fabric8 client at this server, in the lab namespace. */
  public String kubeconfig() {
    return String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: pgdr-lab",
        "  cluster:",
        "    server: " + url(),
        "users:",
        "- name: pgdr-lab",
        "  user:",
        // the mock accepts any credentials; a token keeps clients from prompting for one
        "    token: pgdr-lab",
        "contexts:",
        "- name: pgdr-lab",
        "  context:",
        "    cluster: pgdr-lab",
        "    user: pgdr-lab",
        "    namespace: " + KubernetesFixture.NAMESPACE,
        "current-context: pgdr-lab",
        "");
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
