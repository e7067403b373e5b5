package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.ConfigMapRef;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Runbook 000's cluster, seeded into an API server (the CRUD mock): namespace fabrica-agentes,
 * StatefulSet postgresql with pods postgresql-0 (the primary, crash-looping) and postgresql-1
 * (ready), their claims, the Service, the apps and their ConfigMap, and the credentials Secret.
 * Shared through the test-jar with the worker's tests.
 */
public final class FabricaCluster {

  public static final String NAMESPACE = "fabrica-agentes";
  public static final String STATEFUL_SET = "postgresql";
  public static final String SERVICE = "postgresql";
  public static final String CONFIG_MAP = "fabrica-config";
  public static final String HOST_KEY = "DATABASE_HOST";
  public static final String SECRET = "postgresql-credentials";
  public static final String SECRET_USER = "postgres";
  public static final String SECRET_PASSWORD = "s3cr3t-not-for-logs";
  public static final Map<String, String> APP_LABELS = Map.of("app", "postgresql");

  private FabricaCluster() {}

  /** The target file a user would write for this cluster. */
  public static DatabaseTarget target() {
    return target(Map.of());
  }

  public static DatabaseTarget target(Map<String, String> endpointOverrides) {
    return new DatabaseTarget("fabrica", NAMESPACE, STATEFUL_SET, SERVICE,
        List.of("fabrica-api", "fabrica-workers"),
        new ConfigMapRef(CONFIG_MAP, HOST_KEY, "{pod}.postgresql." + NAMESPACE + ".svc.cluster.local"),
        new PostgresAccess("fabrica_db", 5432, SecretRef.kubernetesSecret(SECRET), endpointOverrides),
        null, null, new Verification(List.of("stories")), null, null, null, null, null);
  }

  public static void seed(KubernetesClient client) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    client.apps().statefulSets().inNamespace(NAMESPACE).resource(new StatefulSetBuilder()
        .withNewMetadata().withName(STATEFUL_SET).withLabels(APP_LABELS).endMetadata()
        .withNewSpec()
          .withReplicas(2)
          .withServiceName(STATEFUL_SET)
          .withNewSelector().withMatchLabels(APP_LABELS).endSelector()
          .withNewTemplate().withNewMetadata().withLabels(APP_LABELS).endMetadata()
            .withNewSpec().addNewContainer().withName("postgresql").withImage("postgres:15").endContainer().endSpec()
          .endTemplate()
          .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata()
            .withNewSpec().withAccessModes("ReadWriteOnce").endSpec()
          .endVolumeClaimTemplate()
        .endSpec()
        .withNewStatus().withReplicas(2).withReadyReplicas(1).endStatus()
        .build()).create();
    client.pods().inNamespace(NAMESPACE).resource(pod("postgresql-0", "10.42.0.10", false, 5)).create();
    client.pods().inNamespace(NAMESPACE).resource(pod("postgresql-1", "10.42.0.11", true, 0)).create();
    // a pod of another app: must not show up as a database pod
    client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
        .withNewMetadata().withName("fabrica-api-7d9f-abcde").withLabels(Map.of("app", "fabrica-api")).endMetadata()
        .withNewStatus().withPhase("Running").endStatus().build()).create();
    for (String pod : List.of("postgresql-0", "postgresql-1")) {
      boundClaim(client, "data-" + pod, "pvc-" + pod + "-1");
    }
    client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder()
        .withNewMetadata().withName(SERVICE).endMetadata()
        .withNewSpec()
          .withSelector(Map.of("app", "postgresql", KubernetesLabels.POD_NAME, "postgresql-0"))
          .addNewPort().withPort(5432).endPort()
        .endSpec().build()).create();
    deployment(client, "fabrica-api", 3);
    deployment(client, "fabrica-workers", 2);
    client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(CONFIG_MAP).endMetadata()
        .withData(Map.of(HOST_KEY, "postgresql-0.postgresql." + NAMESPACE + ".svc.cluster.local", "LOG_LEVEL", "info"))
        .build()).create();
    client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
        .withNewMetadata().withName(SECRET).endMetadata()
        .withData(Map.of("username", base64(SECRET_USER), "password", base64(SECRET_PASSWORD)))
        .build()).create();
    event(client, "ev-1", "postgresql-0", "Warning", "Unhealthy", "Readiness probe failed", "2025-01-10T03:00:00Z");
    event(client, "ev-2", "postgresql-0", "Warning", "BackOff", "Back-off restarting failed container", "2025-01-10T03:02:00Z");
    event(client, "ev-3", "postgresql-1", "Normal", "Pulled", "Container image already present", "2025-01-10T03:01:00Z");
    event(client, "ev-4", "fabrica-api-7d9f-abcde", "Warning", "Unhealthy", "Liveness probe failed", "2025-01-10T03:03:00Z");
  }

  /**
   * A claim bound to a volume dynamically provisioned for it: reclaim policy Delete, the default of
   * a StorageClass, so deleting the claim would delete the data.
   */
  public static void boundClaim(KubernetesClient client, String claim, String volume) {
    client.persistentVolumes().resource(new PersistentVolumeBuilder()
        .withNewMetadata().withName(volume).endMetadata()
        .withNewSpec()
          .withAccessModes("ReadWriteOnce")
          .withCapacity(Map.of("storage", new Quantity("10Gi")))
          .withPersistentVolumeReclaimPolicy("Delete")
          .withNewClaimRef().withNamespace(NAMESPACE).withName(claim).endClaimRef()
          .withNewCsi().withDriver("ebs.csi.aws.com").withVolumeHandle("vol-" + volume).endCsi()
        .endSpec()
        .withNewStatus().withPhase("Bound").endStatus()
        .build()).create();
    client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(claim).withLabels(APP_LABELS).endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withVolumeName(volume).endSpec()
        .withNewStatus().withPhase("Bound").endStatus()
        .build()).create();
  }

  public static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  public static Pod pod(String name, String ip, boolean ready, int restarts) {
    return new PodBuilder()
        .withNewMetadata().withName(name)
          .withLabels(Map.of("app", "postgresql", KubernetesLabels.POD_NAME, name)).endMetadata()
        .withNewSpec().addNewContainer().withName("postgresql").withImage("postgres:15").endContainer().endSpec()
        .withNewStatus()
          .withPhase("Running")
          .withPodIP(ip)
          .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
          .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
          .addNewContainerStatus().withName("postgresql").withReady(ready).withRestartCount(restarts).endContainerStatus()
        .endStatus()
        .build();
  }

  private static void deployment(KubernetesClient client, String name, int replicas) {
    Map<String, String> labels = Map.of("app", name);
    client.apps().deployments().inNamespace(NAMESPACE).resource(new DeploymentBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withNewSelector().withMatchLabels(labels).endSelector()
          .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec().addNewContainer().withName(name).withImage("fabrica/" + name + ":1").endContainer().endSpec()
          .endTemplate()
        .endSpec().build()).create();
  }

  private static void event(KubernetesClient client, String name, String pod, String type, String reason,
      String message, String at) {
    client.v1().events().inNamespace(NAMESPACE).resource(new EventBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(NAMESPACE).endInvolvedObject()
        .withType(type).withReason(reason).withMessage(message).withLastTimestamp(at).withCount(3)
        .build()).create();
  }
}
