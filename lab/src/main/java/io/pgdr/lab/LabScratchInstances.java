package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.KubernetesLabels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the StatefulSet controller, the provisioner and the kubelet for a drill's scratch
 * StatefulSets (those labelled {@link KubernetesLabels#SCRATCH_OF}): its claim is made and bound,
 * its pod created and a new, empty server initialised and started for it, as the postgres image's
 * first start does: with the user and password of the Secret its pod's environment names, on the
 * port its container declares, at 127.0.0.1 (the lab's pods' address). When the StatefulSet is
 * deleted the server stops and the pod goes; when the claim is deleted the volume (the data
 * directory) goes with it, as a reclaim policy of Delete does. The lab is one host: two scratch
 * servers at once would need two ports, so a second waits, Pending, until the first is gone.
 */
final class LabScratchInstances implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LabScratchInstances.class);
  private static final String INSTANCE = "app.kubernetes.io/instance";

  private final KubernetesClient client;
  private final Path dir;
  private final Map<String, PostgresNode> servers = new HashMap<>();

  LabScratchInstances(KubernetesClient client, Path dir) {
    this.client = client;
    this.dir = dir;
  }

  void reconcile() {
    List<StatefulSet> wanted = client.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE)
        .withLabel(KubernetesLabels.SCRATCH_OF).list().getItems();
    Set<String> names = new HashSet<>();
    for (StatefulSet sts : wanted) {
      String name = sts.getMetadata().getName();
      names.add(name);
      try {
        run(sts);
      } catch (RuntimeException e) {
        log.warn("scratch StatefulSet {}: {}", name, e.getMessage());
      }
    }
    for (String gone : new HashSet<>(servers.keySet())) {
      if (!names.contains(gone)) {
        log.info("StatefulSet {} deleted: stopping its server and deleting its pod", gone);
        servers.remove(gone).stopFast();
        client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(gone + "-0").delete();
      }
    }
    releaseDeletedVolumes();
  }

  private void run(StatefulSet sts) {
    String name = sts.getMetadata().getName();
    String podName = name + "-0";
    PersistentVolumeClaim template = sts.getSpec().getVolumeClaimTemplates().get(0);
    String claimName = template.getMetadata().getName() + "-" + podName;
    if (client.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName(claimName).get() == null) {
      client.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName(claimName).withNamespace(KubernetesFixture.NAMESPACE).withLabels(template.getMetadata().getLabels())
            .withAnnotations(template.getMetadata().getAnnotations())
          .endMetadata()
          .withSpec(template.getSpec())
          .withNewStatus().withPhase("Bound").endStatus()
          .build()).create();
      log.info("claim {} made for scratch StatefulSet {} and bound to volume {}", claimName, name, volume(name));
    }
    Pod pod = client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(podName).get();
    if (pod == null) {
      // the kubelet's pod, Pending until its server answers (a pod deleted under a StatefulSet that stays comes back on its server)
      client.pods().inNamespace(KubernetesFixture.NAMESPACE).resource(new PodBuilder()
          .withNewMetadata().withName(podName).withNamespace(KubernetesFixture.NAMESPACE)
            .withLabels(withPodName(sts.getSpec().getTemplate().getMetadata().getLabels(), podName)).endMetadata()
          .withSpec(sts.getSpec().getTemplate().getSpec())
          .withNewStatus().withPhase("Pending").endStatus()
          .build()).create();
    }
    Container container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    PostgresNode server = servers.get(name);
    if (server == null) {
      int port = container.getPorts().get(0).getContainerPort();
      if (servers.values().stream().anyMatch(s -> s.port() == port)) {
        log.info("scratch pod {} Pending: another scratch server holds port {} on this one-host lab", podName, port);
        return;
      }
      server = start(name, container, port);
      servers.put(name, server);
    }
    boolean ready = server.acceptsConnections();
    if (pod == null || ready != LabReconciler.isReady(pod)) {
      LabReconciler.patchPodStatus(client, podName, server.isRunning() ? "Running" : "Failed", ready, server.host(), container.getName());
      log.info("scratch pod {} is now {}", podName, ready ? "ready at " + server.host() + ":" + server.port() : "not ready");
    }
  }

  /** initdb with the Secret's user and password, configured for its port, started: the image's first start on an empty volume. */
  private PostgresNode start(String name, Container container, int port) {
    Map<String, String> secretEnv = secretEnv(container);
    String user = secretEnv.getOrDefault("POSTGRES_USER", "postgres");
    String password = secretEnv.get("POSTGRES_PASSWORD");
    if (password == null) {
      throw new LabException("its container names no POSTGRES_PASSWORD from a Secret");
    }
    Path nodeDir = volume(name);
    PostgresBinaries binaries = PostgresBinaries.locate();
    PostgresNode node = new PostgresNode(name + "-0", port, nodeDir, binaries, user, password);
    try {
      if (!Files.exists(node.dataDir().resolve("PG_VERSION"))) {
        Files.createDirectories(nodeDir);
        PostgresOsUser.own(nodeDir);
        Path pwfile = nodeDir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        PostgresOsUser.own(pwfile);
        try {
          PostgresPair.initdb(binaries, node.dataDir(), user, pwfile);
        } finally {
          Files.deleteIfExists(pwfile);
        }
        Files.writeString(node.dataDir().resolve("postgresql.conf"), ServerConfig.forPrimary(port), StandardOpenOption.APPEND);
        log.info("scratch StatefulSet {}: a new, empty server initialised in {}", name, node.dataDir());
      }
    } catch (IOException e) {
      throw new LabException("cannot prepare the volume of " + name + ": " + e.getMessage(), e);
    }
    node.start();
    return node;
  }

  /** The values of the container's variables taken from Secrets, read from the API as a kubelet does. */
  private Map<String, String> secretEnv(Container container) {
    Map<String, String> values = new HashMap<>();
    for (EnvVar env : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
      var ref = env.getValueFrom() == null ? null : env.getValueFrom().getSecretKeyRef();
      if (ref == null) {
        continue;
      }
      Secret secret = client.secrets().inNamespace(KubernetesFixture.NAMESPACE).withName(ref.getName()).get();
      String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
      if (encoded != null) {
        values.put(env.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  /** A scratch volume whose claim is gone, its server stopped: deleted, as a reclaim policy of Delete does. */
  private void releaseDeletedVolumes() {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Set<String> claimed = new HashSet<>();
    client.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withLabel(KubernetesLabels.SCRATCH_OF).list().getItems()
        .forEach(c -> claimed.add(c.getMetadata().getLabels().get(INSTANCE)));
    try (Stream<Path> volumes = Files.list(dir)) {
      for (Path volume : volumes.toList()) {
        String name = volume.getFileName().toString();
        if (!claimed.contains(name) && !servers.containsKey(name)) {
          log.info("claim of scratch StatefulSet {} deleted: deleting its volume {}", name, volume);
          Lab.deleteTree(volume);
        }
      }
    } catch (IOException e) {
      log.warn("cannot list the scratch volumes in {}: {}", dir, e.toString());
    }
  }

  private Path volume(String name) {
    return dir.resolve(name);
  }

  private static Map<String, String> withPodName(Map<String, String> labels, String pod) {
    Map<String, String> all = new HashMap<>(labels == null ? Map.of() : labels);
    all.put(KubernetesLabels.POD_NAME, pod);
    return all;
  }

  /** The lab stops: its scratch servers stop with it (their volumes stay, as their claims do). */
  @Override
  public void close() {
    servers.values().forEach(PostgresNode::stopFast);
    servers.clear();
  }
}
