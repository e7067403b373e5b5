package io.pgdr.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.RestoredBase;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A point-in-time recovery into a volume the worker cannot reach (a CSI volume): the activities run
 * each step in a Job that mounts the claim, built with fabric8 against the Kubernetes API stand-in,
 * whose pod a stand-in kubelet runs as a process of its own on a real directory, with a real
 * archive in a real S3-compatible store and a real server recovering from the WAL the pod feeds it.
 */
@Tag("real-servers")
@EnableKubernetesMockClient(crud = true)
class PitrInVolumePodsTest {

  static final String NS = "fabrica-agentes";
  static final String IMAGE = "registry.example/pgdr:0.1.0";
  static KubernetesClient client;
  /** The database pod's user: the server's account on this machine, as the pods run (not root). */
  static final long POSTGRES_UID = uidOf("postgres", "unix:uid");
  static final long POSTGRES_GID = uidOf("postgres", "unix:gid");

  private static long uidOf(String account, String attribute) {
    try {
      Path probe = Files.createTempFile("pgdr-owner", "");
      Files.setOwner(probe, probe.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(account));
      Files.setAttribute(probe, "posix:group", probe.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(account));
      long id = ((Number) Files.getAttribute(probe, attribute)).longValue();
      Files.delete(probe);
      return id;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @TempDir static Path dir;
  static ArchivingServer archive;
  static JobKubelet kubelet;
  static PitrActivitiesImpl pitr;
  static final Map<String, Path> volumes = new ConcurrentHashMap<>();
  static String afterRow100;

  @BeforeAll
  static void archiveAndCluster() throws Exception {
    archive = ArchivingServer.start(dir, null);
    archive.insert(1, 50);
    archive.baseBackup("20261207T080000Z");
    afterRow100 = archive.rowsAroundATargetTime();

    client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
        .withNewMetadata().withName("postgresql").withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(1)
          .withNewTemplate().withNewSpec()
            .withServiceAccountName("postgresql")
            .withNewSecurityContext().withRunAsUser(POSTGRES_UID).withFsGroup(POSTGRES_GID).endSecurityContext()
            .addNewContainer().withName("postgres").withImage("postgres:15")
              .addNewEnv().withName("PGDATA").withValue("/var/lib/postgresql/data/pgdata").endEnv()
              .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
            .endContainer()
          .endSpec().endTemplate()
          .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().endVolumeClaimTemplate()
        .endSpec().build()).create();
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("postgresql-credentials").endMetadata()
        .addToData("username", base64(archive.pair.superuser())).addToData("password", base64(archive.pair.password())).build()).create();
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("backup-keys").endMetadata()
        .addToData("PGDR_S3_ACCESS_KEY", base64("lab")).addToData("PGDR_S3_SECRET_KEY", base64("lab-secret")).build()).create();
    kubelet = new JobKubelet(client, volumes, Files.createDirectory(dir.resolve("pods")));
    pitr = new PitrActivitiesImpl(archive.credentials(), archive.s3.clients(), Clock.systemUTC(), progress -> { }, Duration.ofSeconds(2),
        new VolumeJobs(client, IMAGE, progress -> { }, Duration.ofMillis(200), Duration.ofMinutes(2)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (kubelet != null) {
      kubelet.close();
    }
    if (archive != null) {
      archive.close();
    }
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A claim bound to a new CSI volume, its root root's, as a provisioner leaves it (the kubelet applies the pod's fsGroup). */
  private static DataVolume csiVolume(String name) throws Exception {
    Path root = Files.createDirectory(dir.resolve(name));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    volumes.put(name, root);
    client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNewCsi().withDriver("ebs.csi.aws.com").withVolumeHandle("vol-" + name).endCsi().endSpec().build()).create();
    client.persistentVolumeClaims().inNamespace(NS).resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName("data-" + name).endMetadata().withNewSpec().withVolumeName(name).endSpec().build()).create();
    return new DataVolume("data-" + name, name, null, NS, "postgresql");
  }

  /** The Jobs of one step on one volume. */
  private static List<Job> jobs(String step, DataVolume volume) {
    return client.batch().v1().jobs().inNamespace(NS).withLabel(VolumeJobs.STEP_LABEL, step).list().getItems().stream()
        .filter(job -> volume.claim().equals(job.getMetadata().getAnnotations().get("pgdr.io/claim"))).toList();
  }

  @Test
  void theBaseIsRestoredAndTheRecoveryFedByPodsThatMountTheClaim() throws Exception {
    PitrTarget target = PitrTarget.time(afterRow100);
    PitrResolution resolution = pitr.resolveTarget(archive.location, target);
    DataVolume volume = csiVolume("pvc-csi-1");
    BackupLocation keyed = new BackupLocation(archive.location.bucket(), archive.location.prefix(), archive.location.endpoint(), null,
        "PGDR_S3_ACCESS_KEY", "PGDR_S3_SECRET_KEY", "backup-keys");

    RestoredBase base = pitr.restoreBase(volume, keyed, resolution, target, "run-pods");

    assertTrue(base.checkedFiles() > 900, "every file checked against backup_manifest: " + base);
    Path data = volumes.get("pvc-csi-1").resolve("pgdata");
    assertTrue(Files.exists(data.resolve("PG_VERSION")), "the data directory is PGDATA inside the volume, as the database pod sees it");
    assertEquals(ArchivingServer.postgresUser(), Files.getOwner(data.resolve("PG_VERSION")));
    Job restore = jobs(VolumeJobSpec.RESTORE_BASE, volume).get(0);
    var pod = restore.getSpec().getTemplate().getSpec();
    assertEquals(IMAGE, pod.getContainers().get(0).getImage());
    assertEquals(List.of("volume-job"), pod.getContainers().get(0).getArgs());
    assertEquals("data-pvc-csi-1", pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
    assertEquals(POSTGRES_UID, pod.getSecurityContext().getRunAsUser(), "the database pod's user");
    assertEquals("postgresql", pod.getServiceAccountName());
    assertEquals(0, restore.getSpec().getBackoffLimit(), "a retry is the activity's: never two writers on the volume");
    assertNull(pod.getNodeName(), "the scheduler places the restore where the volume can be attached");
    var env = kubelet.environments.get(restore.getMetadata().getName());
    assertEquals("lab-secret", env.get("PGDR_S3_SECRET_KEY"), "the pod read the store's keys from the Secret");
    assertTrue(pod.getContainers().get(0).getEnv().stream().noneMatch(e -> "lab-secret".equals(e.getValue())),
        "the Job holds a reference to the keys, never the keys");

    RestoredBase again = pitr.restoreBase(volume, keyed, resolution, target, "run-pods");
    assertEquals(base, again, "a retried attempt reads the finished Job's result");
    assertEquals(1, jobs(VolumeJobSpec.RESTORE_BASE, volume).size(), "and starts no second one");

    int port = archive.startServer(new DataVolume(volume.claim(), volume.volume(), data.toString(), NS, "postgresql"));
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("postgresql-0").endMetadata()
        .withNewSpec().withNodeName("node-b").endSpec().build()).create();
    PostgresServer server = new PostgresServer("postgresql-0", "127.0.0.1", port, "postgres", NS,
        SecretRef.kubernetesSecret("postgresql-credentials"));
    RecoveryReached reached;
    try {
      reached = pitr.recoverToTarget(volume, server, archive.location, resolution, target);
    } catch (RuntimeException e) {
      Job feed = jobs(VolumeJobSpec.RECOVER, volume).get(0);
      throw new AssertionError(e.getMessage() + "\n" + kubelet.log(feed.getMetadata().getName()) + "\n"
          + archive.log(new DataVolume(null, null, data.toString(), NS, null)), e);
    }

    assertEquals(100, archive.count(port, "SELECT count(*) FROM marks"));
    assertEquals(0, archive.count(port, "SELECT pg_is_in_recovery()::int"));
    assertTrue(reached.timeline() >= 2 && reached.segmentsFetched() > 0, reached.toString());
    assertFalse(Files.exists(data.resolve("pgdr_spool")), "the pod removed the spool once promoted");
    Job feed = jobs(VolumeJobSpec.RECOVER, volume).get(0);
    assertEquals("node-b", feed.getSpec().getTemplate().getSpec().getNodeName(), "the feeding pod shares the recovering pod's node");
    assertEquals(archive.pair.password(), kubelet.environments.get(feed.getMetadata().getName()).get(VolumeJobTemplate.PG_PASSWORD_ENV),
        "the pod read the database password from the target's Secret");
  }

  @Test
  void aVolumeHoldingSomethingElseIsRefusedInThePodAndTheRefusalIsFinal() throws Exception {
    PitrTarget target = PitrTarget.time(afterRow100);
    PitrResolution resolution = pitr.resolveTarget(archive.location, target);
    DataVolume volume = csiVolume("pvc-csi-2");
    Path data = Files.createDirectory(volumes.get("pvc-csi-2").resolve("pgdata"));
    Files.writeString(data.resolve("someone-elses.dat"), "not pgdr's");

    ApplicationFailure refused = assertThrows(ApplicationFailure.class,
        () -> pitr.restoreBase(volume, archive.location, resolution, target, "run-refused"));

    assertEquals(FailureTypes.DATA_VOLUME_UNUSABLE, refused.getType());
    assertTrue(refused.isNonRetryable(), "what the pod found final stays final");
    assertTrue(refused.getOriginalMessage().contains("is not empty"), refused.getOriginalMessage());
    assertEquals("not pgdr's", Files.readString(data.resolve("someone-elses.dat")), "nothing deleted");
  }

  @Test
  void aServerWhosePasswordOnlyTheWorkerKnowsIsRefusedBeforeAnyPodStarts() throws Exception {
    PitrTarget target = PitrTarget.time(afterRow100);
    PitrResolution resolution = pitr.resolveTarget(archive.location, target);
    DataVolume volume = csiVolume("pvc-csi-3");
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("postgresql-3").endMetadata()
        .withNewSpec().withNodeName("node-c").endSpec().build()).create();
    PostgresServer server = new PostgresServer("postgresql-3", "127.0.0.1", 5432, "postgres", NS,
        SecretRef.environment("postgres", "PGDR_PG_PASSWORD"));

    ApplicationFailure refused = assertThrows(ApplicationFailure.class,
        () -> pitr.recoverToTarget(volume, server, archive.location, resolution, target));

    assertEquals(FailureTypes.CREDENTIALS_UNAVAILABLE, refused.getType());
    assertTrue(refused.getOriginalMessage().contains("postgres.credentials.secret"), refused.getOriginalMessage());
    assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
        .noneMatch(job -> "data-pvc-csi-3".equals(job.getMetadata().getAnnotations().get("pgdr.io/claim"))), "no pod started");
  }
}
