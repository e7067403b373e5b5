package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ScratchInstanceName;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A drill's scratch StatefulSet: what it is made of, made once, deleted with its claim, and nothing else touched. */
@EnableKubernetesMockClient(crud = true)
class ScratchInstanceTest {

  static final String NAME = ScratchInstanceName.of(FabricaCluster.STATEFUL_SET, "0a1b2c3d");

  KubernetesClient client;
  private final DatabaseTarget target = FabricaCluster.target();
  private KubernetesActivitiesImpl kubernetes;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    // a production StatefulSet as Patroni charts make them: an init container, a sidecar, a service account
    client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).resource(production()).update();
    kubernetes = new KubernetesActivitiesImpl(client, Clock.systemUTC(), KubernetesActivitiesImpl.WRITERS_READY_WITHIN, details -> { });
  }

  @Test
  void theNameSaysItIsADrillsAndKeepsTheRunsTagWhenTheStatefulSetsNameIsLong() {
    assertEquals("pgdr-drill-postgresql-0a1b2c3d", NAME);
    String longer = ScratchInstanceName.of("a-very-long-statefulset-name-for-the-orders-database-of-the-shop", "0a1b2c3d");
    assertEquals(52, longer.length(), longer);
    assertTrue(longer.startsWith("pgdr-drill-a-very-long") && longer.endsWith("-0a1b2c3d"), longer);
    assertTrue(ScratchInstanceName.isScratch(longer));
    assertFalse(ScratchInstanceName.isScratch("postgresql"));
    assertFalse(ScratchInstanceName.isScratch("pgdr-drill-postgresql"));
  }

  @Test
  void itTakesThePostgresContainerAndClaimTemplateAndNothingThatCouldJoinProduction() {
    StatefulSet scratch = ScratchInstance.build(target, production(), NAME, "run-1");

    assertEquals(NAME, scratch.getMetadata().getName());
    assertEquals("run-1", scratch.getMetadata().getAnnotations().get(KubernetesLabels.SCRATCH_RUN));
    Map<String, String> labels = scratch.getSpec().getTemplate().getMetadata().getLabels();
    assertEquals(Map.of(KubernetesLabels.SCRATCH_OF, "postgresql", ScratchInstance.INSTANCE, NAME, KubernetesLabels.MANAGED_BY, "pgdr"), labels,
        "none of production's labels: its Service, PodDisruptionBudget or NetworkPolicy never select the scratch pod");
    assertFalse(scratch.getSpec().getSelector().getMatchLabels().containsKey("app"));
    assertEquals(1, scratch.getSpec().getReplicas());
    var pod = scratch.getSpec().getTemplate().getSpec();
    assertTrue(pod.getInitContainers() == null || pod.getInitContainers().isEmpty(), "no init container (Patroni's bootstrap)");
    assertEquals(1, pod.getContainers().size(), "no sidecar");
    assertNull(pod.getServiceAccountName(), "not production's service account");
    assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
    assertEquals("regcred", pod.getImagePullSecrets().get(0).getName(), "the image pulls as production's does");
    Container container = pod.getContainers().get(0);
    assertEquals("registry.example/postgres:15.8", container.getImage());
    assertEquals(new Quantity("2Gi"), container.getResources().getRequests().get("memory"));
    Map<String, EnvVar> env = container.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> e));
    assertEquals(FabricaCluster.SECRET, env.get("POSTGRES_PASSWORD").getValueFrom().getSecretKeyRef().getName());
    assertEquals("password", env.get("POSTGRES_PASSWORD").getValueFrom().getSecretKeyRef().getKey());
    assertNull(env.get("POSTGRES_PASSWORD").getValue(), "the password is referenced, never copied");
    assertEquals("username", env.get("POSTGRES_USER").getValueFrom().getSecretKeyRef().getKey());
    assertEquals("/var/lib/postgresql/data/pgdata", env.get("PGDATA").getValue());
    assertEquals("5432", env.get("PGPORT").getValue());
    assertFalse(env.containsKey("PATRONI_SCOPE"), "none of production's other settings");
    assertEquals("/var/lib/postgresql/data", container.getVolumeMounts().get(0).getMountPath());
    PersistentVolumeClaim claim = scratch.getSpec().getVolumeClaimTemplates().get(0);
    assertEquals("data", claim.getMetadata().getName());
    assertEquals("fast-ssd", claim.getSpec().getStorageClassName());
    assertEquals(new Quantity("10Gi"), claim.getSpec().getResources().getRequests().get("storage"));
    assertEquals(NAME, claim.getMetadata().getLabels().get(ScratchInstance.INSTANCE));
    assertEquals("run-1", claim.getMetadata().getAnnotations().get(KubernetesLabels.SCRATCH_RUN), "its claim names the run too");
    assertNull(claim.getSpec().getVolumeName(), "a new volume, never production's");
    assertNull(claim.getSpec().getSelector());
    assertNull(claim.getSpec().getDataSource(), "never a copy of production's volume");
    assertEquals("Delete", scratch.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());
  }

  @Test
  void createWaitsForItsPodAndARetryMakesNothingTwice() throws Exception {
    CompletableFuture<PostgresServer> made = CompletableFuture.supplyAsync(() -> kubernetes.createScratchInstance(target, NAME, "run-1"));
    StatefulSet created = await(() -> client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName(NAME).get());
    // the StatefulSet controller and the kubelet: the pod, ready
    client.pods().inNamespace(FabricaCluster.NAMESPACE).resource(scratchPod("10.42.0.77")).create();
    PostgresServer server = made.get(20, TimeUnit.SECONDS);

    assertEquals(new PostgresServer(NAME + "-0", "10.42.0.77", 5432, "postgres", FabricaCluster.NAMESPACE,
        SecretRef.kubernetesSecret(FabricaCluster.SECRET)), server);
    assertEquals(server, kubernetes.createScratchInstance(target, NAME, "run-1"), "a retry finds it and answers the same");
    assertEquals(created.getMetadata().getUid(),
        client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName(NAME).get().getMetadata().getUid(), "made once");
    assertEquals("postgresql-credentials", client.secrets().inNamespace(FabricaCluster.NAMESPACE).list().getItems().get(0).getMetadata().getName(),
        "no Secret of its own: it uses the target's");
  }

  @Test
  void deleteRemovesTheStatefulSetItsPodAndItsClaimOnceAndLeavesProductionAlone() {
    makeScratch("run-1");

    assertTrue(kubernetes.deleteScratchInstance(target, NAME, "run-1"));
    assertNull(client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName(NAME).get());
    assertNull(client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(NAME + "-0").get());
    assertNull(client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName("data-" + NAME + "-0").get());
    assertFalse(kubernetes.deleteScratchInstance(target, NAME, "run-1"), "gone already: nothing to do");
    assertNotNull(client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").get());
    assertEquals(2, client.pods().inNamespace(FabricaCluster.NAMESPACE).withLabel("app", "postgresql").list().getItems().size());
  }

  @Test
  void itRefusesAnythingThatIsNotThisRunsScratch() {
    ApplicationFailure notScratch = assertThrows(ApplicationFailure.class, () -> kubernetes.deleteScratchInstance(target, "postgresql", "run-1"));
    assertEquals(FailureTypes.SCRATCH_INSTANCE_REFUSED, notScratch.getType());
    assertNotNull(client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName("postgresql").get());

    makeScratch("run-0");
    ApplicationFailure othersDelete = assertThrows(ApplicationFailure.class, () -> kubernetes.deleteScratchInstance(target, NAME, "run-1"));
    assertTrue(othersDelete.getOriginalMessage().contains("was made by drill run run-0, not by this run"), othersDelete.getOriginalMessage());
    ApplicationFailure othersCreate = assertThrows(ApplicationFailure.class, () -> kubernetes.createScratchInstance(target, NAME, "run-1"));
    assertEquals(FailureTypes.SCRATCH_INSTANCE_REFUSED, othersCreate.getType());
    assertNotNull(client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).withName(NAME).get(), "another run's is left alone");

    DatabaseTarget fromEnvironment = new DatabaseTarget(target.name(), target.namespace(), target.statefulSet(), target.service(),
        target.deployments(), target.configMap(), new PostgresAccess("fabrica_db", 5432, SecretRef.environment("postgres", "PG_PASSWORD"), null),
        null, null, target.verification(), null, null, null, null, null);
    ApplicationFailure noSecret = assertThrows(ApplicationFailure.class,
        () -> kubernetes.createScratchInstance(fromEnvironment, ScratchInstanceName.of("postgresql", "99999999"), "run-1"));
    assertTrue(noSecret.getOriginalMessage().contains("set drill.scratch: database"), noSecret.getOriginalMessage());
  }

  @Test
  void aClaimTemplateThatBindsStaticallyIsRefused() {
    StatefulSet statically = production();
    statically.getSpec().getVolumeClaimTemplates().get(0).getSpec().setStorageClassName("");

    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> ScratchInstance.build(target, statically, NAME, "run-1"));
    assertEquals(FailureTypes.SCRATCH_INSTANCE_REFUSED, refused.getType());
    assertTrue(refused.getOriginalMessage().contains("binds statically"), refused.getOriginalMessage());
  }

  private void makeScratch(String runId) {
    StatefulSet scratch = ScratchInstance.build(target, production(), NAME, runId);
    client.apps().statefulSets().inNamespace(FabricaCluster.NAMESPACE).resource(scratch).create();
    client.pods().inNamespace(FabricaCluster.NAMESPACE).resource(scratchPod("10.42.0.77")).create();
    PersistentVolumeClaim template = scratch.getSpec().getVolumeClaimTemplates().get(0);
    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).resource(new PersistentVolumeClaimBuilder(template)
        .editMetadata().withName("data-" + NAME + "-0").endMetadata().build()).create();
  }

  private static Pod scratchPod(String ip) {
    return new PodBuilder()
        .withNewMetadata().withName(NAME + "-0")
          .withLabels(Map.of(KubernetesLabels.SCRATCH_OF, "postgresql", ScratchInstance.INSTANCE, NAME)).endMetadata()
        .withNewSpec().addNewContainer().withName("postgres").withImage("registry.example/postgres:15.8").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip)
          .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus()
        .build();
  }

  private static StatefulSet production() {
    return new StatefulSetBuilder()
        .withNewMetadata().withName("postgresql").withNamespace(FabricaCluster.NAMESPACE).withLabels(FabricaCluster.APP_LABELS).endMetadata()
        .withNewSpec()
          .withReplicas(2)
          .withServiceName("postgresql")
          .withNewSelector().withMatchLabels(FabricaCluster.APP_LABELS).endSelector()
          .withNewTemplate().withNewMetadata().withLabels(FabricaCluster.APP_LABELS).endMetadata()
            .withNewSpec()
              .withServiceAccountName("patroni")
              .addNewImagePullSecret("regcred")
              .addNewInitContainer().withName("bootstrap").withImage("registry.example/patroni-init:1").endInitContainer()
              .addNewContainer().withName("exporter").withImage("registry.example/postgres-exporter:0.15")
                .addNewPort().withContainerPort(9187).endPort().endContainer()
              .addNewContainer().withName("postgresql").withImage("registry.example/postgres:15.8")
                .addNewPort().withName("postgresql").withContainerPort(5432).endPort()
                .addNewEnv().withName("PGDATA").withValue("/var/lib/postgresql/data/pgdata").endEnv()
                .addNewEnv().withName("PATRONI_SCOPE").withValue("fabrica").endEnv()
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                .withNewResources().addToRequests("memory", new Quantity("2Gi")).endResources()
              .endContainer()
            .endSpec()
          .endTemplate()
          .addNewVolumeClaimTemplate().withNewMetadata().withName("data").withLabels(FabricaCluster.APP_LABELS).endMetadata()
            .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("fast-ssd")
              // what binds a claim to an existing volume or fills it from one: never copied
              .withVolumeName("pv-production-0").withNewSelector().addToMatchLabels("tier", "prod").endSelector()
              .withNewDataSource().withKind("VolumeSnapshot").withName("prod-snap").withApiGroup("snapshot.storage.k8s.io").endDataSource()
              .withNewResources().addToRequests("storage", new Quantity("10Gi")).endResources()
            .endSpec()
          .endVolumeClaimTemplate()
        .endSpec()
        .build();
  }

  private static <T> T await(java.util.function.Supplier<T> read) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      T value = read.get();
      if (value != null) {
        return value;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("never appeared");
  }
}
