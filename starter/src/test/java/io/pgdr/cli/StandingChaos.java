package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.run.RtoClock;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standing chaos test: each scenario's recovery whose worker process is SIGKILLed at each step
 * boundary (and inside the workflow tasks and activities where a crash hurts most), a new worker
 * started after each kill. The run must end as an undisturbed one does: same outcome, each change
 * made once, no data lost, RTO counted from the run's start. Every new scenario adds a subclass,
 * {@code StandingChaos<Scenario>IT}, with its run and kill points: one class per scenario, so the
 * integration tier's two JVMs share them out.
 */
@org.junit.jupiter.api.Tag("real-servers")
abstract class StandingChaos {

  static final String RUN = "recovery-fabrica-agentes.postgresql";

  @TempDir Path logs;
  LabProcesses processes;
  WorkflowClient temporal;

  @BeforeEach
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    if (patroniLab()) {
      RequiredComponent.require("Patroni and etcd", PatroniCluster.present(), PatroniCluster.INSTALL_HINT);
    }
    processes = LabProcesses.up(logs, patroniLab());
    temporal = new TemporalConnection(processes.status.temporalAddress(), "default").client();
  }

  /** True for a scenario that runs on the Patroni lab ({@code lab up --patroni}). */
  boolean patroniLab() {
    return false;
  }

  @AfterEach
  void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  void assertRtoFromTheRunsStart(JsonNode report) {
    assertRtoFromTheRunsStart(report, RUN);
  }

  void assertRtoFromTheRunsStart(JsonNode report, String workflowId) {
    assertRtoFromTheRunsStart(temporal, report, workflowId);
  }

  /** The run's RTO is counted from its start, not from when a (restarted) worker first ran it. */
  static void assertRtoFromTheRunsStart(WorkflowClient temporal, JsonNode report, String workflowId) {
    assertEquals(RtoClock.RUN_START, report.path("rto").path("incidentStartBasis").asText(), report.path("rto").toString());
    Instant runStart = temporal.newUntypedWorkflowStub(workflowId).describe().getStartTime();
    Instant incidentStart = Instant.parse(report.path("incidentStart").asText());
    assertTrue(Duration.between(runStart, incidentStart).abs().toMillis() < 1000, incidentStart + " is the run's start " + runStart);
  }

  static long promoteRequests(Path serverLog) throws Exception {
    return Files.readAllLines(serverLog).stream().filter(line -> line.contains("received promote request")).count();
  }

  static String selectedPod(KubernetesClient kubernetes) {
    return services(kubernetes).get().getSpec().getSelector().get(KubernetesLabels.POD_NAME);
  }

  static io.fabric8.kubernetes.client.dsl.Resource<Service> services(KubernetesClient kubernetes) {
    return kubernetes.services().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SERVICE);
  }

  static io.fabric8.kubernetes.client.dsl.Resource<ConfigMap> configMap(KubernetesClient kubernetes) {
    return kubernetes.configMaps().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.CONFIG_MAP);
  }

  static Transitions<Deployment> restarts(KubernetesClient kubernetes, String name) {
    return new Transitions<>(kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(name), d -> {
      Map<String, String> annotations = d.getSpec().getTemplate().getMetadata() == null ? null
          : d.getSpec().getTemplate().getMetadata().getAnnotations();
      return annotations == null ? null : annotations.get(KubernetesLabels.RESTARTED_BY);
    });
  }

  static Transitions<Deployment> scale(KubernetesClient kubernetes, String name) {
    return new Transitions<>(kubernetes.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(name),
        d -> String.valueOf(d.getSpec().getReplicas()));
  }
}
