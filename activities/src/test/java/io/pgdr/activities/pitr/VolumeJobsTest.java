package io.pgdr.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.RestoredBase;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the worker runs a step in a Job and follows it, against the Kubernetes API stand-in, the test
 * playing the Job controller: a worker that crashed while its Job ran finds and follows that Job; a
 * pod that died without a result is retried in a new Job; a refusal from the pod stays final; and
 * where PGDATA lies in the volume is read from the StatefulSet as the database pod sees it.
 */
@EnableKubernetesMockClient(crud = true)
class VolumeJobsTest {

  static final String NS = "fabrica-agentes";
  static final DataVolume VOLUME = new DataVolume("data-postgresql-0", "pvc-new", null, NS, "postgresql");
  static final BackupLocation LOCATION = new BackupLocation("fabrica-agentes-backups", "db/", null, null, null, null, null);
  static final PitrResolution RESOLUTION = new PitrResolution(1, "base", "db/base/base/", List.of("base.tar.gz"), 100, "0/2000028",
      "0/2000100", Instant.parse("2026-12-07T08:00:00Z"), List.of("000000010000000000000002"), 16 << 20, List.of(), null, "window");
  static final PitrTarget TARGET = PitrTarget.time("2026-12-07 08:01:00+00");
  static final RestoredBase RESTORED = new RestoredBase(1200, 50_000_000, 1200, 3.5);

  KubernetesClient client;
  final List<Object> heartbeats = new CopyOnWriteArrayList<>();
  VolumeJobs jobs;

  @BeforeEach
  void statefulSet() {
    client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
        .withNewMetadata().withName("postgresql").withNamespace(NS).endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("postgres").withImage("postgres:15")
          .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount().endContainer().endSpec()
          .endTemplate()
          .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().endVolumeClaimTemplate()
        .endSpec().build()).create();
    client.persistentVolumeClaims().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(VOLUME.claim()).endMetadata().build()).create();
    jobs = new VolumeJobs(client, "pgdr:0.1.0", heartbeats::add, Duration.ofMillis(50));
  }

  private static VolumeJobSpec restore() {
    return new VolumeJobSpec(VolumeJobSpec.RESTORE_BASE, VOLUME, LOCATION, RESOLUTION, TARGET, "run-1", null);
  }

  private List<Job> made() {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems();
  }

  private Job awaitJob(int count) throws InterruptedException {
    for (int i = 0; i < 200 && made().size() < count; i++) {
      Thread.sleep(25);
    }
    assertEquals(count, made().size());
    return made().stream().max(java.util.Comparator.comparing(job -> job.getMetadata().getName())).orElseThrow();
  }

  /** Ends a Job as the Job controller and kubelet would: its pod terminated with {@code message}. */
  private void finish(Job job, boolean succeeded, String message) {
    String name = job.getMetadata().getName();
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name + "-x").addToLabels(VolumeJobs.JOB_NAME_LABEL, name)
        .endMetadata().withNewStatus().withPhase(succeeded ? "Succeeded" : "Failed").addNewContainerStatus().withName("pgdr").withNewState()
          .withNewTerminated().withExitCode(succeeded ? 0 : 1).withMessage(message).endTerminated().endState().endContainerStatus()
        .endStatus().build()).create();
    Job now = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    now.setStatus(succeeded ? new JobStatusBuilder().withSucceeded(1).build() : new JobStatusBuilder().withFailed(1).build());
    client.batch().v1().jobs().inNamespace(NS).resource(now).updateStatus();
  }

  @Test
  void aWorkerThatCrashedWhileItsJobRanFollowsThatJobAndStartsNoSecond() throws Exception {
    Thread lost = new Thread(() -> jobs.run(restore(), null, RestoredBase.class));
    lost.start();
    Job job = awaitJob(1);
    lost.interrupt(); // the worker is gone; its Job runs on
    lost.join(5000);

    AtomicReference<RestoredBase> result = new AtomicReference<>();
    Thread next = new Thread(() -> result.set(jobs.run(restore(), null, RestoredBase.class)));
    next.start();
    Thread.sleep(300);
    finish(job, true, VolumeJobResult.of(RESTORED).toJson());
    next.join(5000);

    assertEquals(RESTORED, result.get());
    assertEquals(1, made().size(), "one writer on the volume, ever");
    assertTrue(heartbeats.stream().anyMatch(h -> h instanceof TransferProgress p && p.current().startsWith("Job " + job.getMetadata().getName())),
        "the wait shows which Job it follows: " + heartbeats);
  }

  @Test
  void aPodThatDiedWithoutAResultIsRetriedInANewJob() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread first = new Thread(() -> {
      try {
        jobs.run(restore(), null, RestoredBase.class);
      } catch (ApplicationFailure e) {
        failure.set(e);
      }
    });
    first.start();
    finish(awaitJob(1), false, "OOMKilled\n");
    first.join(5000);

    assertEquals(FailureTypes.RESTORE_FAILED, failure.get().getType());
    assertFalse(failure.get().isNonRetryable(), "a retry may fix it");
    assertTrue(failure.get().getOriginalMessage().contains("kubectl -n " + NS + " logs job/"), failure.get().getOriginalMessage());

    AtomicReference<RestoredBase> result = new AtomicReference<>();
    Thread retry = new Thread(() -> result.set(jobs.run(restore(), null, RestoredBase.class)));
    retry.start();
    Job second = awaitJob(2);
    assertTrue(second.getMetadata().getName().endsWith("-2"), second.getMetadata().getName());
    finish(second, true, VolumeJobResult.of(RESTORED).toJson());
    retry.join(5000);
    assertEquals(RESTORED, result.get());
  }

  @Test
  void aRefusalFromThePodStaysFinal() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread run = new Thread(() -> {
      try {
        jobs.run(restore(), null, RestoredBase.class);
      } catch (ApplicationFailure e) {
        failure.set(e);
      }
    });
    run.start();
    finish(awaitJob(1), false, VolumeJobResult.of(ApplicationFailure.newNonRetryableFailure("/pgdr/volume is not empty",
        FailureTypes.DATA_VOLUME_UNUSABLE)).toJson());
    run.join(5000);

    assertEquals(FailureTypes.DATA_VOLUME_UNUSABLE, failure.get().getType());
    assertTrue(failure.get().isNonRetryable());
    assertTrue(failure.get().getOriginalMessage().endsWith("/pgdr/volume is not empty"), failure.get().getOriginalMessage());
  }

  @Test
  void storeKeysNamedWithoutTheSecretThatHoldsThemAreRefusedBeforeAnyJob() {
    BackupLocation keys = new BackupLocation("fabrica-agentes-backups", "db/", null, null, "PGDR_S3_ACCESS_KEY", "PGDR_S3_SECRET_KEY", null);

    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> jobs.run(
        new VolumeJobSpec(VolumeJobSpec.RESTORE_BASE, VOLUME, keys, RESOLUTION, TARGET, "run-1", null), null, RestoredBase.class));

    assertEquals(FailureTypes.CREDENTIALS_UNAVAILABLE, refused.getType());
    assertTrue(refused.getOriginalMessage().contains("backups.keysSecret"), refused.getOriginalMessage());
    assertEquals(List.of(), made());
  }

  @Test
  void theDataDirectoryIsWhereTheDatabasePodHasPgdataInsideTheVolume() {
    var mount = new ContainerBuilder().withName("postgres").addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data/")
        .endVolumeMount();
    assertEquals("/pgdr/volume", VolumeJobs.dataDirectory(mount.build(), "data"));
    assertEquals("/pgdr/volume/pgdata", VolumeJobs.dataDirectory(mount.addNewEnv().withName("PGDATA")
        .withValue("/var/lib/postgresql/data/pgdata").endEnv().build(), "data"));
    ApplicationFailure elsewhere = assertThrows(ApplicationFailure.class, () -> VolumeJobs.dataDirectory(new ContainerBuilder()
        .withName("postgres").addNewEnv().withName("PGDATA").withValue("/srv/elsewhere").endEnv().addNewVolumeMount().withName("data")
        .withMountPath("/var/lib/postgresql/data").endVolumeMount().build(), "data"));
    assertTrue(elsewhere.getOriginalMessage().contains("not on the volume"), elsewhere.getOriginalMessage());
    assertEquals("/pgdr/volume/postgres/pgdata", VolumeJobs.dataDirectory(new ContainerBuilder().withName("postgres").addNewEnv()
        .withName("PGDATA").withValue("/data/pgdata").endEnv().addNewVolumeMount().withName("data").withMountPath("/data")
        .withSubPath("postgres").endVolumeMount().build(), "data"));
  }
}
