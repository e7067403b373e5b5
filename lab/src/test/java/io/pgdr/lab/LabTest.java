package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.TargetYaml;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole lab as the CLI drives it: a detached daemon up, usable by ordinary clients, then gone. */
@org.junit.jupiter.api.Tag("real-servers")
class LabTest {

  @TempDir Path parent;
  @RegisterExtension final LabsTakenDown labs = new LabsTakenDown();

  @Test
  void upStatusDownRoundTrip() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), PostgresBinaries.INSTALL_HINT);
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    Lab lab = labs.add(Lab.at(parent.resolve("lab")));

    LabStatus status = lab.up(System.out::println);

    assertEquals(status, lab.status().orElseThrow());
    assertEquals(status, lab.up(message -> { }), "a second up returns the running lab");
    PostgresPair pair = lab.pair();
    assertEquals(pair.primary().host() + ":" + pair.primary().port(), status.pods().get("postgresql-0"));
    assertEquals(pair.standby().host() + ":" + pair.standby().port(), status.pods().get("postgresql-1"));
    assertTrue(ProcessHandle.of(status.daemonPid()).isPresent());
    DatabaseTarget target = TargetYaml.parse(Files.readString(status.targetFile()), status.targetFile().toString());
    java.util.Map<String, String> endpoints = new java.util.HashMap<>(status.pods());
    endpoints.put(KubernetesFixture.SERVICE, status.serviceEndpoint()); // where a check through the Service connects
    assertEquals(endpoints, target.endpointOverrides());
    assertEquals(new BackupLocation("fabrica-agentes-backups", "db/", status.s3Endpoint(), null, null, null, null), target.backups());
    assertEquals(200, HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(status.s3Endpoint() + "/fabrica-agentes-backups"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode(), "the backup bucket exists");
    long s3Pid = Long.parseLong(Files.readString(lab.dir().resolve("s3/s3mock.pid")).trim());
    assertTrue(ProcessHandle.of(s3Pid).map(ProcessHandle::isAlive).orElse(false));
    assertEquals(List.of("fabrica-api", "fabrica-workers"), target.deployments());

    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(status.kubeconfig()))).build()) {
      assertEquals("fabrica-agentes", client.getNamespace());
      assertEquals(2, client.pods().withLabel("app", "postgresql").list().getItems().size());
      assertEquals("postgresql-0.postgresql",
          client.configMaps().withName("fabrica-config").get().getData().get("DATABASE_HOST"));
    }

    WorkflowServiceStubs temporal = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(status.temporalAddress()).build());
    try {
      assertNotNull(temporal.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance()));
    } finally {
      temporal.shutdownNow();
    }

    assertEquals("postgresql-0", lab.killPrimary());
    assertFalse(pair.primary().isRunning());

    lab.down(System.out::println);

    assertFalse(Files.exists(lab.dir()));
    assertFalse(ProcessHandle.of(status.daemonPid()).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(pair.standby().isRunning());
    assertFalse(ProcessHandle.of(s3Pid).map(ProcessHandle::isAlive).orElse(false), "S3Mock stopped with the lab");
  }
}
