package io.pgdr.lab;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays, for the Patroni lab, what Patroni's Kubernetes integration and the kubelet do, every
 * 200 ms: each pod carries Patroni's role label ({@code master} on the leader, {@code replica}
 * elsewhere), so the Service, which selects {@code role=master}, follows Patroni's leader; a pod is
 * ready while Patroni lists its member running and its server accepts connections (the readiness
 * probe). Patroni itself chooses the leader; nothing here does.
 */
final class PatroniReconciler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PatroniReconciler.class);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

  private final KubernetesClient client;
  private final PatroniCluster cluster;
  private ReconcileLoop loop;

  private PatroniReconciler(KubernetesClient client, PatroniCluster cluster) {
    this.client = client;
    this.cluster = cluster;
  }

  static PatroniReconciler start(KubernetesClient client, PatroniCluster cluster) {
    PatroniReconciler reconciler = new PatroniReconciler(client, cluster);
    reconciler.loop = ReconcileLoop.start("patroni-reconciler", reconciler::reconcile);
    return reconciler;
  }

  @Override
  public void close() {
    loop.close();
  }

  private void reconcile() {
    Map<String, JsonNode> listed = new HashMap<>();
    JsonNode view = cluster.cluster().orElse(null);
    if (view != null) {
      view.path("members").forEach(m -> listed.put(m.path("name").asText(), m));
    }
    int ready = 0;
    for (PatroniCluster.Member member : cluster.members().values()) {
      Pod pod = client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(member.name()).get();
      if (pod == null) {
        continue; // a deleted pod stays deleted: the Patroni lab does not recreate pods
      }
      JsonNode seen = listed.get(member.name());
      boolean leads = seen != null && "leader".equals(seen.path("role").asText());
      boolean serves = seen != null && "running".equals(seen.path("state").asText()) && accepts(member.postgresPort());
      String role = leads ? KubernetesFixture.LEADER_ROLE : KubernetesFixture.REPLICA_ROLE;
      if (view != null && !role.equals(pod.getMetadata().getLabels().get(KubernetesFixture.ROLE_LABEL))) {
        // only when Patroni answered: an unanswered cluster keeps the labels it had, as Patroni's last write does
        log.info("pod {} labelled {}={}", member.name(), KubernetesFixture.ROLE_LABEL, role);
        client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(member.name())
            .edit(p -> {
              p.getMetadata().getLabels().put(KubernetesFixture.ROLE_LABEL, role);
              return p;
            });
      }
      if (serves != LabReconciler.isReady(pod)) {
        markReady(member.name(), serves);
      }
      ready += serves ? 1 : 0;
    }
    LabReconciler.recordReadyReplicas(client, cluster.members().size(), ready);
  }

  private void markReady(String name, boolean ready) {
    log.info("pod {} is now {}", name, ready ? "ready" : "not ready");
    PodCondition condition = new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build();
    ContainerStatus container = new ContainerStatusBuilder().withName(KubernetesFixture.CONTAINER).withReady(ready).withRestartCount(0).build();
    List<Map<String, Object>> operations = List.of(
        Map.of("op", "add", "path", "/status/phase", "value", ready ? "Running" : "Failed"),
        Map.of("op", "add", "path", "/status/conditions", "value", List.of(condition)),
        Map.of("op", "add", "path", "/status/containerStatuses", "value", List.of(container)));
    client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(name)
        .subresource("status").patch(JSON_PATCH, client.getKubernetesSerialization().asJson(operations));
  }

  /** The readiness probe: a TCP connection to the server's port. */
  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
