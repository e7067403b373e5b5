package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a point-in-time recovery asks of Kubernetes: the database stopped with its replica count
 * remembered, the first pod's claim moved to a new volume only while its old one is kept and of a
 * kind the worker can write, and the database started again.
 */
@EnableKubernetesMockClient(crud = true)
class DatabaseVolumeSwapTest {

  static final String POD = "postgresql-0";
  static final String CLAIM = "data-postgresql-0";
  static final String OLD_VOLUME = "pvc-postgresql-0-1";

  KubernetesClient client;
  KubernetesActivitiesImpl activities;
  DatabaseTarget target = FabricaCluster.target();

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client, Clock.systemUTC(), Duration.ofSeconds(5), progress -> { });
  }

  private void podsGone() {
    client.pods().inNamespace(target.namespace()).delete();
  }

  private void oldVolumeIsHostPath() {
    var volume = client.persistentVolumes().withName(OLD_VOLUME).get();
    volume.getSpec().setCsi(null);
    volume.getSpec().setHostPath(new io.fabric8.kubernetes.api.model.HostPathVolumeSource("/var/lib/volumes/old", null));
    client.persistentVolumes().resource(volume).update();
  }

  private Thread provisioner() {
    return provisioner(new PersistentVolumeBuilder().withNewMetadata().withName("pvc-new").endMetadata()
        .withNewSpec().withNewHostPath().withPath("/var/lib/volumes/new").endHostPath().endSpec().build());
  }

  /** Plays the provisioner: binds the claim, once made again, to {@code volume}. */
  private Thread provisioner(io.fabric8.kubernetes.api.model.PersistentVolume volume) {
    Thread thread = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        var made = client.persistentVolumeClaims().inNamespace(target.namespace()).withName(CLAIM).get();
        if (made != null && made.getSpec().getVolumeName() == null) {
          client.persistentVolumes().resource(volume).create();
          made.getSpec().setVolumeName(volume.getMetadata().getName());
          made.setStatus(new PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
          client.persistentVolumeClaims().inNamespace(target.namespace()).resource(made).update();
          return;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    thread.start();
    return thread;
  }

  @Test
  void stoppingRemembersTheReplicasAndARetryKeepsThem() {
    podsGone();
    assertEquals(2, activities.stopDatabase(target, "run-1"));
    assertEquals(2, activities.stopDatabase(target, "run-1"), "a retry reads the remembered count, not the 0 it set");
    var sts = client.apps().statefulSets().inNamespace(target.namespace()).withName(target.statefulSet()).get();
    assertEquals(0, sts.getSpec().getReplicas());
    assertEquals("2", sts.getMetadata().getAnnotations().get(KubernetesLabels.REPLICAS_BEFORE));

    activities.startDatabase(target, 1);
    sts = client.apps().statefulSets().inNamespace(target.namespace()).withName(target.statefulSet()).get();
    assertEquals(1, sts.getSpec().getReplicas());
    assertNull(sts.getMetadata().getAnnotations() == null ? null : sts.getMetadata().getAnnotations().get(KubernetesLabels.REPLICAS_BEFORE));
  }

  @Test
  void aStatefulSetThatDeletesClaimsWhenScaledIsNotStopped() {
    var sts = client.apps().statefulSets().inNamespace(target.namespace()).withName(target.statefulSet()).get();
    sts.getSpec().setPersistentVolumeClaimRetentionPolicy(
        new io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy("Retain", "Delete"));
    client.apps().statefulSets().inNamespace(target.namespace()).resource(sts).update();

    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> activities.stopDatabase(target, "run-1"));

    assertEquals(FailureTypes.DATA_VOLUME_UNUSABLE, refused.getType());
    assertTrue(refused.getOriginalMessage().contains("whenScaled: Delete"), refused.getOriginalMessage());
    assertEquals(2, client.apps().statefulSets().inNamespace(target.namespace()).withName(target.statefulSet()).get().getSpec().getReplicas(),
        "nothing was changed");
  }

  @Test
  void theClaimMovesToANewVolumeOnlyOnceTheOldIsKeptAndTheRetryFindsIt() throws Exception {
    oldVolumeIsHostPath();
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    podsGone();
    Thread provisioner = provisioner();

    DataVolume fresh = activities.freshVolume(target, POD, kept, "run-1");
    provisioner.join(5000);
    DataVolume again = activities.freshVolume(target, POD, kept, "run-1");

    assertEquals(new DataVolume(CLAIM, "pvc-new", "/var/lib/volumes/new", target.namespace(), "postgresql"), fresh);
    assertEquals(fresh, again, "a retry finds the claim it made");
    var claim = client.persistentVolumeClaims().inNamespace(target.namespace()).withName(CLAIM).get();
    assertEquals("run-1", claim.getMetadata().getAnnotations().get(KubernetesLabels.RECREATED_BY));
    assertNotNull(client.persistentVolumes().withName(OLD_VOLUME).get(), "the old volume stays");
    assertEquals("Retain", client.persistentVolumes().withName(OLD_VOLUME).get().getSpec().getPersistentVolumeReclaimPolicy());
  }

  @Test
  void aVolumeOnlyAPodReachesMovesTooWithoutAPath() throws Exception {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1"); // the seeded volumes are CSI (EBS)
    podsGone();
    Thread provisioner = provisioner(new PersistentVolumeBuilder().withNewMetadata().withName("pvc-ebs-new").endMetadata()
        .withNewSpec().withNewCsi().withDriver("ebs.csi.aws.com").withVolumeHandle("vol-0new").endCsi().endSpec().build());

    DataVolume fresh = activities.freshVolume(target, POD, kept, "run-1");
    provisioner.join(5000);

    assertEquals(new DataVolume(CLAIM, "pvc-ebs-new", null, target.namespace(), "postgresql"), fresh,
        "no path: a restore pod mounting the claim writes it");
    assertEquals("Retain", client.persistentVolumes().withName(OLD_VOLUME).get().getSpec().getPersistentVolumeReclaimPolicy());
  }

  @Test
  void aClaimThatBindsOnlyWhenAPodMountsItIsLeftToTheRestorePod() {
    client.storage().v1().storageClasses().resource(new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder()
        .withNewMetadata().withName("gp3").addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
        .withProvisioner("ebs.csi.aws.com").withVolumeBindingMode("WaitForFirstConsumer").build()).create();
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    podsGone();

    DataVolume fresh = activities.freshVolume(target, POD, kept, "run-1"); // no provisioner runs: nothing binds it

    assertEquals(new DataVolume(CLAIM, null, null, target.namespace(), "postgresql"), fresh);
    var claim = client.persistentVolumeClaims().inNamespace(target.namespace()).withName(CLAIM).get();
    assertEquals("run-1", claim.getMetadata().getAnnotations().get(KubernetesLabels.RECREATED_BY), "made again, waiting for its first pod");
    assertEquals(fresh, activities.freshVolume(target, POD, kept, "run-1"), "a retry finds it");
  }

  @Test
  void theClaimIsNotTouchedWhileItsPodRuns() {
    oldVolumeIsHostPath();
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");

    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> activities.freshVolume(target, POD, kept, "run-1"));

    assertTrue(refused.getOriginalMessage().contains("still exists"), refused.getOriginalMessage());
    assertEquals(OLD_VOLUME, client.persistentVolumeClaims().inNamespace(target.namespace()).withName(CLAIM).get().getSpec().getVolumeName());
  }

  @Test
  void aClaimNotKeptIsNotDeleted() {
    oldVolumeIsHostPath();
    podsGone();

    ApplicationFailure refused = assertThrows(ApplicationFailure.class, () -> activities.freshVolume(target, POD, List.of(), "run-1"));

    assertEquals(FailureTypes.DATA_VOLUME_UNUSABLE, refused.getType(), refused.getOriginalMessage());
    assertEquals(OLD_VOLUME, client.persistentVolumeClaims().inNamespace(target.namespace()).withName(CLAIM).get().getSpec().getVolumeName());
  }
}
