package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rollout restart as kubectl does it, once per run. */
@EnableKubernetesMockClient(crud = true)
class RestartDeploymentsTest {

  static final Instant NOW = Instant.parse("2025-01-10T03:15:42Z");

  KubernetesClient client;
  KubernetesActivitiesImpl activities;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void everyDeploymentGetsTheRestartAnnotationsOnItsPodTemplate() {
    List<String> restarted = activities.restartDeployments(FabricaCluster.target(), "run-1");

    assertEquals(List.of("fabrica-api", "fabrica-workers"), restarted);
    for (String name : restarted) {
      Map<String, String> annotations = templateAnnotations(name);
      assertEquals("run-1", annotations.get(KubernetesLabels.RESTARTED_BY));
      assertEquals("2025-01-10T03:15:42Z", annotations.get(KubernetesLabels.RESTARTED_AT));
    }
    assertEquals(3, deployment("fabrica-api").getSpec().getReplicas());
    assertEquals(2, deployment("fabrica-workers").getSpec().getReplicas());
  }

  @Test
  void aRetryOfTheSameRunRestartsNothing() {
    String seeded = deployment("fabrica-api").getMetadata().getResourceVersion();
    activities.restartDeployments(FabricaCluster.target(), "run-1");
    String version = deployment("fabrica-api").getMetadata().getResourceVersion();
    assertNotEquals(seeded, version, "the API server records each write with a new resourceVersion");

    List<String> again = activities.restartDeployments(FabricaCluster.target(), "run-1");

    assertEquals(List.of(), again);
    assertEquals(version, deployment("fabrica-api").getMetadata().getResourceVersion());
  }

  @Test
  void aLaterRunRestartsAgain() {
    activities.restartDeployments(FabricaCluster.target(), "run-1");

    assertEquals(List.of("fabrica-api", "fabrica-workers"), activities.restartDeployments(FabricaCluster.target(), "run-2"));
    assertEquals("run-2", templateAnnotations("fabrica-workers").get(KubernetesLabels.RESTARTED_BY));
  }

  @Test
  void aMissingDeploymentFailsBeforeAnyIsRestarted() {
    DatabaseTarget t = FabricaCluster.target();
    DatabaseTarget typo = new DatabaseTarget(t.name(), t.namespace(), t.statefulSet(), t.service(),
        List.of("fabrica-api", "fabrica-wrokers"), t.configMap(), t.postgres(), t.objectives(), t.approval(),
        t.verification(), t.notifications(), t.backups(), null, null, null);

    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> activities.restartDeployments(typo, "run-1"));

    assertEquals("Deployment fabrica-agentes/fabrica-wrokers not found", failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
    Map<String, String> untouched = templateAnnotations("fabrica-api");
    assertNull(untouched == null ? null : untouched.get(KubernetesLabels.RESTARTED_BY));
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(FabricaCluster.NAMESPACE).withName(name).get();
  }

  private Map<String, String> templateAnnotations(String name) {
    return deployment(name).getSpec().getTemplate().getMetadata().getAnnotations();
  }
}
