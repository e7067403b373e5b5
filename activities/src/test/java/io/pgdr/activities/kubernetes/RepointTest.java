package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runbook 000 B.3 / 004 Scenario 3: clients follow the new primary through the Service and ConfigMap. */
@EnableKubernetesMockClient(crud = true)
class RepointTest {

  KubernetesClient client;
  KubernetesActivitiesImpl activities;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client);
  }

  @Test
  void theServiceSelectsTheNewPrimaryAndKeepsItsOtherKeys() {
    activities.repointService(FabricaCluster.target(), "postgresql-1");

    assertEquals(Map.of("app", "postgresql", KubernetesLabels.POD_NAME, "postgresql-1"), serviceSelector());
  }

  @Test
  void repointingTwiceGivesTheSameServiceWithoutASecondWrite() {
    activities.repointService(FabricaCluster.target(), "postgresql-1");
    String version = service().getMetadata().getResourceVersion();

    activities.repointService(FabricaCluster.target(), "postgresql-1");

    assertEquals(Map.of("app", "postgresql", KubernetesLabels.POD_NAME, "postgresql-1"), serviceSelector());
    assertEquals(version, service().getMetadata().getResourceVersion());
  }

  @Test
  void aMissingServiceIsANonRetryableFailureNamingIt() {
    client.services().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").delete();

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> activities.repointService(FabricaCluster.target(), "postgresql-1"));

    assertEquals("Service fabrica-agentes/postgresql not found", failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
  }

  @Test
  void theConfigMapHostKeyNamesTheNewPrimaryAndOtherKeysStay() {
    activities.repointConfigMap(FabricaCluster.target(), "postgresql-1");
    activities.repointConfigMap(FabricaCluster.target(), "postgresql-1");

    ConfigMap configMap = client.configMaps().inNamespace(FabricaCluster.NAMESPACE).withName("fabrica-config").get();
    assertEquals(Map.of(
        "DATABASE_HOST", "postgresql-1.postgresql.fabrica-agentes.svc.cluster.local",
        "LOG_LEVEL", "info"), configMap.getData());
  }

  @Test
  void aTargetWithoutConfigMapChangesNothing() {
    DatabaseTarget t = FabricaCluster.target();
    DatabaseTarget noConfigMap = new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(),
        t.deployments(), null, t.postgres(), t.objectives(), t.approval(), t.verification(), t.notifications(), t.backups(), null, null, null);

    activities.repointConfigMap(noConfigMap, "postgresql-1");

    ConfigMap configMap = client.configMaps().inNamespace(FabricaCluster.NAMESPACE).withName("fabrica-config").get();
    assertEquals("postgresql-0.postgresql.fabrica-agentes.svc.cluster.local", configMap.getData().get("DATABASE_HOST"));
  }

  @Test
  void aMissingConfigMapIsANonRetryableFailureNamingIt() {
    client.configMaps().inNamespace(FabricaCluster.NAMESPACE).withName("fabrica-config").delete();

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> activities.repointConfigMap(FabricaCluster.target(), "postgresql-1"));

    assertEquals("ConfigMap fabrica-agentes/fabrica-config not found", failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
  }

  private io.fabric8.kubernetes.api.model.Service service() {
    return client.services().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").get();
  }

  private Map<String, String> serviceSelector() {
    return service().getSpec().getSelector();
  }
}
