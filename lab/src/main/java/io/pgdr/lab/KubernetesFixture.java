package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.KubernetesLabels;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The Kubernetes objects of the runbook's database, pointing at the lab's real servers: the
 * StatefulSet and its pods, claims, volumes ({@link LabVolumes}) and Service, the application
 * Deployments, their ConfigMap and the credentials Secret. Pods carry podIP 127.0.0.1 and the real
 * server port as containerPort.
 */
public final class KubernetesFixture {

  public static final String NAMESPACE = "fabrica-agentes";
  public static final String STATEFUL_SET = "postgresql";
  public static final String SERVICE = "postgresql";
  public static final String CONFIG_MAP = "fabrica-config";
  public static final String CONFIG_MAP_KEY = "DATABASE_HOST";
  public static final String SECRET = "postgresql-credentials";
  public static final String API_DEPLOYMENT = "fabrica-api";
  public static final String WORKERS_DEPLOYMENT = "fabrica-workers";
  static final String APP_LABEL = "app";
  /** Patroni's role label on its pods (its {@code kubernetes.role_label}), with Patroni 3.0's values. */
  public static final String ROLE_LABEL = "role";
  public static final String LEADER_ROLE = "master";
  static final String REPLICA_ROLE = "replica";
  static final String CONTAINER = "postgresql";
  private static final String IMAGE = "postgres:15";
  private static final String DATA_MOUNT_PATH = "/var/lib/postgresql/data";

  private KubernetesFixture() {}

  public static void create(KubernetesClient client, PostgresPair pair) {
    LabVolumes volumes = new LabVolumes(client, pair);
    objects(client, pair.nodes().size(), Map.of(APP_LABEL, STATEFUL_SET, KubernetesLabels.POD_NAME, pair.primary().name()),
        pair.primary().name(), pair.superuser(), pair.password(), () -> {
          for (PostgresNode node : pair.nodes()) {
            volumes.bindInitialVolume(node);
            client.pods().inNamespace(NAMESPACE).resource(pod(node, node.isRunning() && node.acceptsConnections())).create();
          }
        });
  }

  /**
   * The same objects for a Patroni lab, whose pods carry Patroni's role label and whose Service
   * selects the leader by it, as Patroni's Kubernetes setups do: Patroni, not pgdr, moves the
   * Service ({@link PatroniReconciler} plays Patroni's labelling).
   */
  public static void createForPatroni(KubernetesClient client, PatroniCluster cluster, String leader) {
    objects(client, cluster.members().size(), Map.of(APP_LABEL, STATEFUL_SET, ROLE_LABEL, LEADER_ROLE), leader, cluster.superuser(),
        cluster.password(), () -> cluster.members().values().forEach(member -> client.pods().inNamespace(NAMESPACE).resource(
            pod(member.name(), "127.0.0.1", member.postgresPort(), true, true,
                Map.of(ROLE_LABEL, member.name().equals(leader) ? LEADER_ROLE : REPLICA_ROLE))).create()));
  }

  private static void objects(KubernetesClient client, int replicas, Map<String, String> serviceSelector, String primary, String superuser,
      String password, Runnable pods) {
    put(client, new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
    put(client, new StatefulSetBuilder()
        .withNewMetadata().withName(STATEFUL_SET).withNamespace(NAMESPACE).withLabels(appLabels()).endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withServiceName(SERVICE)
          .withNewSelector().withMatchLabels(appLabels()).endSelector()
          .withTemplate(serverTemplate())
          .addNewVolumeClaimTemplate()
            .withNewMetadata().withName(LabVolumes.CLAIM_TEMPLATE).endMetadata()
            .withNewSpec().withAccessModes(LabVolumes.ACCESS_MODE)
              .withNewResources().withRequests(Map.of("storage", new Quantity(LabVolumes.CAPACITY))).endResources()
            .endSpec()
          .endVolumeClaimTemplate()
        .endSpec()
        .build());
    pods.run();
    put(client, new ServiceBuilder()
        .withNewMetadata().withName(SERVICE).withNamespace(NAMESPACE).withLabels(appLabels()).endMetadata()
        .withNewSpec()
          .withSelector(serviceSelector)
          .addNewPort().withName("postgresql").withPort(5432).endPort()
        .endSpec()
        .build());
    deployment(client, API_DEPLOYMENT, 3);
    deployment(client, WORKERS_DEPLOYMENT, 2);
    put(client, new ConfigMapBuilder()
        .withNewMetadata().withName(CONFIG_MAP).withNamespace(NAMESPACE).endMetadata()
        .withData(Map.of(CONFIG_MAP_KEY, primary + "." + SERVICE))
        .build());
    put(client, new SecretBuilder()
        .withNewMetadata().withName(SECRET).withNamespace(NAMESPACE).endMetadata()
        .withType("Opaque")
        .withData(Map.of("username", base64(superuser), "password", base64(password)))
        .build());
  }

  /**
   * The pod the StatefulSet controller would create for this server's ordinal, its template's
   * volume rendered as the claim {@code data-<pod>}.
   */
  static Pod pod(PostgresNode node, boolean ready) {
    return pod(node.name(), node.host(), node.port(), node.isRunning(), ready, Map.of());
  }

  private static Pod pod(String name, String host, int port, boolean running, boolean ready, Map<String, String> labels) {
    String status = ready ? "True" : "False";
    Map<String, String> all = new java.util.HashMap<>(labels);
    all.put(APP_LABEL, STATEFUL_SET);
    all.put(KubernetesLabels.POD_NAME, name);
    return new PodBuilder()
        .withNewMetadata()
          .withName(name).withNamespace(NAMESPACE)
          .withLabels(all)
        .endMetadata()
        .withNewSpec()
          .addNewContainer().withName(CONTAINER).withImage(IMAGE)
            .addNewPort().withName("postgresql").withContainerPort(port).endPort()
            .addToVolumeMounts(dataMount())
          .endContainer()
          .addNewVolume().withName(LabVolumes.CLAIM_TEMPLATE)
            .withNewPersistentVolumeClaim().withClaimName(LabVolumes.claimName(name)).endPersistentVolumeClaim()
          .endVolume()
        .endSpec()
        .withNewStatus()
          .withPhase(running ? "Running" : "Failed")
          .withPodIP(host)
          .addNewCondition().withType("Ready").withStatus(status).endCondition()
          .addNewContainerStatus().withName(CONTAINER).withReady(ready).withRestartCount(0).endContainerStatus()
        .endStatus()
        .build();
  }

  private static void deployment(KubernetesClient client, String name, int replicas) {
    Map<String, String> labels = Map.of(APP_LABEL, name);
    put(client, new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withNewSelector().withMatchLabels(labels).endSelector()
          .withTemplate(template(labels, "fabrica/" + name + ":latest"))
        .endSpec()
        .withNewStatus().withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
          .withUpdatedReplicas(replicas).endStatus()
        .build());
  }

  private static PodTemplateSpec serverTemplate() {
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(appLabels()).endMetadata()
        .withNewSpec()
          .addNewContainer().withName(CONTAINER).withImage(IMAGE).addToVolumeMounts(dataMount()).endContainer()
        .endSpec()
        .build();
  }

  private static VolumeMount dataMount() {
    return new VolumeMountBuilder().withName(LabVolumes.CLAIM_TEMPLATE).withMountPath(DATA_MOUNT_PATH).build();
  }

  private static PodTemplateSpec template(Map<String, String> labels, String image) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().withContainers(new ContainerBuilder().withName(labels.get(APP_LABEL)).withImage(image).build())
        .endSpec()
        .build();
  }

  private static Map<String, String> appLabels() {
    return Map.of(APP_LABEL, STATEFUL_SET);
  }

  private static void put(KubernetesClient client, HasMetadata resource) {
    client.resource(resource).createOr(existing -> existing.update());
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
