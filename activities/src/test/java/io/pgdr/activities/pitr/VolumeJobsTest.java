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
    jobs = new VolumeJobs(client, "pgdr:0.1.0", heartbeats::add, Duration.ofMillis(50), Duration.ofMillis(600));
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
    finish(job, true, VolumeJobResult.of(RESTORED).toMessage());
    next.join(5000);

    assertEquals(RESTORED, result.get());
    assertEquals(1, made().size(), "one writer on the volume, ever");
    assertTrue(heartbeats.stream().anyMatch(h -> h instanceof TransferProgress p && p.current().startsWith("Job " + job.getMetadata().getName() + ": ")),
        "the wait shows which Job it follows: " + heartbeats);
  }

  @Test
  void aPodThatDiedWithoutAResultIsRetriedInANewJob() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread first = attempt(failure);
    finish(awaitJob(1), false, "OOMKilled\n");
    first.join(5000);

    assertEquals(FailureTypes.RESTORE_FAILED, failure.get().getType());
    assertFalse(failure.get().isNonRetryable(), "a retry may fix it");
    assertTrue(failure.get().getOriginalMessage().contains("kubectl -n " + NS + " logs job/"), failure.get().getOriginalMessage());

    AtomicReference<RestoredBase> result = new AtomicReference<>();
    Thread retry = new Thread(() -> result.set(jobs.run(restore(), null, RestoredBase.class)));
    retry.start();
    theSecondJobSucceeds(retry, result);
  }

  @Test
  void aRefusalFromThePodStaysFinal() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread run = attempt(failure);
    finish(awaitJob(1), false, VolumeJobResult.of(ApplicationFailure.newNonRetryableFailure("/pgdr/volume is not empty",
        FailureTypes.DATA_VOLUME_UNUSABLE)).toMessage());
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
    assertEquals("/pgdr/volume", VolumeJobTemplate.dataDirectory(mount.build(), "data"));
    assertEquals("/pgdr/volume/pgdata", VolumeJobTemplate.dataDirectory(mount.addNewEnv().withName("PGDATA")
        .withValue("/var/lib/postgresql/data/pgdata").endEnv().build(), "data"));
    ApplicationFailure elsewhere = assertThrows(ApplicationFailure.class, () -> VolumeJobTemplate.dataDirectory(new ContainerBuilder()
        .withName("postgres").addNewEnv().withName("PGDATA").withValue("/srv/elsewhere").endEnv().addNewVolumeMount().withName("data")
        .withMountPath("/var/lib/postgresql/data").endVolumeMount().build(), "data"));
    assertTrue(elsewhere.getOriginalMessage().contains("not on the volume"), elsewhere.getOriginalMessage());
    ApplicationFailure referenced = assertThrows(ApplicationFailure.class, () -> VolumeJobTemplate.dataDirectory(new ContainerBuilder()
        .withName("postgres").addNewEnv().withName("PGDATA").withNewValueFrom().withNewConfigMapKeyRef().withName("pg").withKey("dir")
        .endConfigMapKeyRef().endValueFrom().endEnv().addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().build(), "data"));
    assertTrue(referenced.getOriginalMessage().contains("valueFrom"), referenced.getOriginalMessage());
    assertEquals("/pgdr/volume/postgres/pgdata", VolumeJobTemplate.dataDirectory(new ContainerBuilder().withName("postgres").addNewEnv()
        .withName("PGDATA").withValue("/data/pgdata").endEnv().addNewVolumeMount().withName("data").withMountPath("/data")
        .withSubPath("postgres").endVolumeMount().build(), "data"));
  }

  /** The retry made Job number 2; it succeeds, and the retry returns its result. */
  private void theSecondJobSucceeds(Thread retry, AtomicReference<RestoredBase> result) throws InterruptedException {
    Job second = awaitJob(2);
    assertTrue(second.getMetadata().getName().endsWith("-2"), second.getMetadata().getName());
    finish(second, true, VolumeJobResult.of(RESTORED).toMessage());
    retry.join(5000);
    assertEquals(RESTORED, result.get());
  }

  /** Runs the step in a thread, as an activity attempt would; the failure it ends with, if any. */
  private Thread attempt(AtomicReference<ApplicationFailure> failure) {
    Thread thread = new Thread(() -> {
      try {
        jobs.run(restore(), null, RestoredBase.class);
      } catch (ApplicationFailure e) {
        failure.set(e);
      }
    });
    thread.start();
    return thread;
  }

  @Test
  void aPodWhoseImageCannotBePulledFailsTheStepAtOnceAndItsJobIsDeleted() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread run = attempt(failure);
    String name = awaitJob(1).getMetadata().getName();
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name + "-x").addToLabels(VolumeJobs.JOB_NAME_LABEL, name)
        .endMetadata().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("pgdr").withNewState().withNewWaiting()
          .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"pgdr:0.1.0\"").endWaiting().endState().endContainerStatus()
        .endStatus().build()).create();
    run.join(5000);

    assertEquals(FailureTypes.DATA_VOLUME_UNUSABLE, failure.get().getType());
    assertTrue(failure.get().isNonRetryable());
    assertTrue(failure.get().getOriginalMessage().contains("ImagePullBackOff"), failure.get().getOriginalMessage());
    assertEquals(List.of(), made(), "the Job that could not run is gone");
  }

  @Test
  void aJobThatGetsNoPodFailsTheStepAfterThePatienceNamingWhereToLook() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread run = attempt(failure); // no pod is ever made: an admission policy refused it
    run.join(5000);

    assertTrue(failure.get().getOriginalMessage().contains("kubectl describe job"), failure.get().getOriginalMessage());
    assertEquals(List.of(), made());
  }

  @Test
  void aNewJobWaitsUntilTheFailedOnesPodHasEndedAndTakesTheNextNumber() throws Exception {
    AtomicReference<ApplicationFailure> failure = new AtomicReference<>();
    Thread first = attempt(failure);
    Job job = awaitJob(1);
    String name = job.getMetadata().getName();
    // the Job failed on its deadline; its pod is still being killed
    client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name + "-x").addToLabels(VolumeJobs.JOB_NAME_LABEL, name)
        .endMetadata().withNewStatus().withPhase("Running").endStatus().build()).create();
    Job failed = client.batch().v1().jobs().inNamespace(NS).withName(name).get();
    failed.setStatus(new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("DeadlineExceeded")
        .endCondition().build());
    client.batch().v1().jobs().inNamespace(NS).resource(failed).updateStatus();
    first.join(5000);
    assertFalse(failure.get().isNonRetryable(), failure.get().getOriginalMessage());

    AtomicReference<RestoredBase> result = new AtomicReference<>();
    Thread retry = new Thread(() -> result.set(jobs.run(restore(), null, RestoredBase.class)));
    retry.start();
    Thread.sleep(500);
    assertEquals(1, made().size(), "no second writer while the first pod runs");
    client.pods().inNamespace(NS).withName(name + "-x").editStatus(pod -> {
      pod.getStatus().setPhase("Failed");
      return pod;
    });
    theSecondJobSucceeds(retry, result);
  }

  @Test
  void aLongFailureIsCutToFitTheTerminationMessageAndKeepsItsType() {
    String message = "ä".repeat(10_000);
    String json = VolumeJobResult.of(ApplicationFailure.newNonRetryableFailure(message, FailureTypes.BACKUP_CORRUPT)).toMessage();

    assertTrue(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= VolumeJobResult.MESSAGE_BYTES, json.length() + " chars");
    VolumeJobResult read = VolumeJobResult.parse(json);
    assertEquals(FailureTypes.BACKUP_CORRUPT, read.failureType());
    assertTrue(read.nonRetryable() && !read.succeeded());
  }

  @Test
  void theSpecTravelsCompressedAndAnArchiveTooLongForOnePodIsRefused() throws Exception {
    List<String> week = java.util.stream.IntStream.range(0, 7 * 24 * 60)
        .mapToObj(n -> String.format("0000000100000%03X000000%02X", n / 256, n % 256)).toList();
    PitrResolution long_ = new PitrResolution(1, "base", "db/base/base/", List.of("base.tar.gz"), 100, "0/2000028", "0/2000100",
        Instant.parse("2026-12-07T08:00:00Z"), week, 16L << 20, List.of(), null, "window");
    VolumeJobSpec spec = new VolumeJobSpec(VolumeJobSpec.RESTORE_BASE, VOLUME, LOCATION, long_, TARGET, "run-1", null);
    String encoded = spec.encoded();
    assertTrue(encoded.length() < VolumeJobSpec.MAX_ENCODED, "a week of a segment a minute: " + encoded.length());
    assertEquals(spec, VolumeJobSpec.decode(encoded));

    java.util.Random random = new java.util.Random(1);
    List<String> noise = java.util.stream.IntStream.range(0, 20_000).mapToObj(n -> String.format("%08X%016X", 1, random.nextLong())).toList();
    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> new VolumeJobSpec(VolumeJobSpec.RESTORE_BASE, VOLUME, LOCATION,
        new PitrResolution(1, "base", "db/base/base/", List.of("base.tar.gz"), 100, "0/2000028", "0/2000100",
            Instant.parse("2026-12-07T08:00:00Z"), noise, 16L << 20, List.of(), null, "window"), TARGET, "run-1", null).encoded());
    assertTrue(refused.getOriginalMessage().contains("20000 WAL segments"), refused.getOriginalMessage());
  }

  @Test
  void theRestorePodRunsAsTheDatabasesUserOrRootAndNeverGuesses() {
    var pod = new io.fabric8.kubernetes.api.model.PodSpecBuilder().withNewSecurityContext().withRunAsUser(1001L).withFsGroup(1001L)
        .endSecurityContext().build();
    var server = new ContainerBuilder().withName("postgres").build();
    var context = VolumeJobTemplate.runAs(pod, server);
    assertEquals(1001L, context.getRunAsUser());
    assertEquals(1001L, context.getFsGroup());
    assertEquals(Boolean.TRUE, context.getRunAsNonRoot());
    assertEquals(999L, VolumeJobTemplate.runAs(pod, new ContainerBuilder().withName("postgres").withNewSecurityContext().withRunAsUser(999L)
        .endSecurityContext().build()).getRunAsUser(), "the container's user wins");
    assertEquals(0L, VolumeJobTemplate.runAs(new io.fabric8.kubernetes.api.model.PodSpec(), server).getRunAsUser(),
        "no user set: the image starts as root and hands the files over itself");
    ApplicationFailure guess = assertThrows(ApplicationFailure.class, () -> VolumeJobTemplate.runAs(
        new io.fabric8.kubernetes.api.model.PodSpecBuilder().withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext().build(), server));
    assertTrue(guess.getOriginalMessage().contains("set runAsUser"), guess.getOriginalMessage());
  }
}
