package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broken primary's pod recreated on a new volume while its old volume is kept: Retain before any
 * claim is deleted, deletes that a retry never repeats on the replacement, and a wait that only
 * ends on the new volume.
 */
@EnableKubernetesMockClient(crud = true)
class PodRebuildTest {

  static final String POD = "postgresql-0";
  static final String CLAIM = "data-postgresql-0";
  static final String OLD_VOLUME = "pvc-postgresql-0-1";

  KubernetesClient client;
  KubernetesActivitiesImpl activities;
  DatabaseTarget target = FabricaCluster.target();

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    activities = new KubernetesActivitiesImpl(client);
  }

  @Test
  void keepingSetsRetainAndRecordsThePolicyBeforeOnce() {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    List<KeptVolume> again = activities.keepVolumes(target, POD, "run-1");

    assertEquals(List.of(new KeptVolume(CLAIM, OLD_VOLUME, "Delete")), kept);
    assertEquals(kept, again, "a retry does not take Retain for the policy before");
    PersistentVolume volume = volume(OLD_VOLUME);
    assertEquals("Retain", volume.getSpec().getPersistentVolumeReclaimPolicy());
    assertEquals("run-1", volume.getMetadata().getAnnotations().get(KubernetesLabels.KEPT_BY));
    assertEquals("fabrica-agentes/" + CLAIM, volume.getMetadata().getAnnotations().get(KubernetesLabels.KEPT_CLAIM));
    assertEquals("Delete", volume.getMetadata().getAnnotations().get(KubernetesLabels.RECLAIM_POLICY_BEFORE));
    assertEquals("Delete", volume("pvc-postgresql-1-1").getSpec().getPersistentVolumeReclaimPolicy(), "the other pod's volume is not touched");
  }

  @Test
  void anUnboundClaimHasNothingToKeepAndChangesNothing() {
    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName(CLAIM)
        .edit(claim -> { claim.getSpec().setVolumeName(null); return claim; });

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> activities.keepVolumes(target, POD, "run-1"));

    assertEquals(FailureTypes.VOLUME_NOT_KEPT, failure.getType());
    assertTrue(failure.getOriginalMessage().contains("is not bound"), failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
  }

  @Test
  void aMissingClaimIsNamed() {
    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName(CLAIM).delete();

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> activities.keepVolumes(target, POD, "run-1"));

    assertTrue(failure.getOriginalMessage().contains("PersistentVolumeClaim fabrica-agentes/" + CLAIM + " not found"));
  }

  @Test
  void recreatingDeletesTheClaimAndThePodButTheVolumeStays() {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");

    activities.recreatePod(target, POD, kept, "run-1");

    assertNull(claim(CLAIM), "claim deleted");
    assertNull(pod(POD), "pod deleted");
    assertNotNull(volume(OLD_VOLUME), "the volume is kept");
    assertEquals("Retain", volume(OLD_VOLUME).getSpec().getPersistentVolumeReclaimPolicy());
    assertNotNull(pod("postgresql-1"), "the other pod is not touched");
    assertNotNull(claim("data-postgresql-1"));
  }

  @Test
  void aRetryAfterTheStatefulSetRecreatedThePodDeletesNothing() {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    activities.recreatePod(target, POD, kept, "run-1");
    statefulSetRecreates(POD, "pvc-postgresql-0-2", true);

    activities.recreatePod(target, POD, kept, "run-1");

    assertEquals("pvc-postgresql-0-2", claim(CLAIM).getSpec().getVolumeName(), "the new claim stays");
    assertNotNull(pod(POD), "the replacement pod stays");
  }

  @Test
  void aRetryAfterTheClaimWentButNotThePodDeletesThePod() {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(POD)
        .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations(KubernetesLabels.RECREATED_BY, "run-1").endMetadata().build());
    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName(CLAIM).delete();

    activities.recreatePod(target, POD, kept, "run-1");

    assertNull(pod(POD), "the old pod, marked before its claim was deleted, is deleted by the retry");
  }

  @Test
  void aVolumeNoLongerRetainedIsNotLetGo() {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    client.persistentVolumes().withName(OLD_VOLUME)
        .edit(v -> { v.getSpec().setPersistentVolumeReclaimPolicy("Delete"); return v; });

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> activities.recreatePod(target, POD, kept, "run-1"));

    assertTrue(failure.getOriginalMessage().contains("no longer set to Retain"), failure.getOriginalMessage());
    assertNotNull(claim(CLAIM));
    assertNotNull(pod(POD));
  }

  @Test
  void aClaimNeverKeptIsNotDeleted() {
    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> activities.recreatePod(target, POD, List.of(), "run-1"));

    assertTrue(failure.getOriginalMessage().contains("was not kept"), failure.getOriginalMessage());
    assertNotNull(claim(CLAIM));
    assertNotNull(pod(POD));
  }

  @Test
  void waitingEndsOnlyWhenThePodIsReadyOnANewVolume() throws Exception {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    // the old pod reports ready on the kept volume: that is not the recreated pod
    client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(POD).delete();
    client.pods().inNamespace(FabricaCluster.NAMESPACE).resource(FabricaCluster.pod(POD, "10.42.0.10", true, 0)).create();

    CompletableFuture<PodState> waited = CompletableFuture.supplyAsync(() -> activities.awaitPodReady(target, POD, kept));
    assertThrows(java.util.concurrent.TimeoutException.class, () -> waited.get(2500, TimeUnit.MILLISECONDS),
        "still waiting while the pod's claim is on the kept volume");

    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName(CLAIM).delete();
    client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(POD).delete();
    statefulSetRecreates(POD, "pvc-postgresql-0-2", true);

    PodState pod = waited.get(30, TimeUnit.SECONDS);
    assertEquals(POD, pod.name());
    assertTrue(pod.ready());
    assertEquals("10.42.0.10", pod.host());
  }

  @Test
  void aPodStuckPendingOnItsGoneClaimIsDeletedSoItComesBackWithANewOne() throws Exception {
    List<KeptVolume> kept = activities.keepVolumes(target, POD, "run-1");
    client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName(CLAIM).delete();
    client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(POD).delete();
    client.pods().inNamespace(FabricaCluster.NAMESPACE).resource(new PodBuilder(FabricaCluster.pod(POD, null, false, 0))
        .editStatus().withPhase("Pending").endStatus().build()).create();
    String stuckUid = pod(POD).getMetadata().getUid();
    // an hour on: the stuck pod is old enough to be judged stuck
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);
    PodRebuild rebuild = new PodRebuild(client, later, details -> {});

    CompletableFuture<PodState> waited = CompletableFuture.supplyAsync(() -> rebuild.awaitPodReady(target, POD, kept));
    awaitPodGone(stuckUid);
    statefulSetRecreates(POD, "pvc-postgresql-0-2", true);

    assertTrue(waited.get(30, TimeUnit.SECONDS).ready());
  }

  /** What the StatefulSet controller and the provisioner do: a new claim on a new volume, then the pod. */
  private void statefulSetRecreates(String pod, String volume, boolean ready) {
    FabricaCluster.boundClaim(client, "data-" + pod, volume);
    client.pods().inNamespace(FabricaCluster.NAMESPACE).resource(FabricaCluster.pod(pod, "10.42.0.10", ready, 0)).create();
  }

  private void awaitPodGone(String uid) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      Pod pod = pod(POD);
      if (pod == null || !uid.equals(pod.getMetadata().getUid())) {
        return;
      }
      Thread.sleep(100);
    }
    fail("the stuck pod was never deleted");
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(FabricaCluster.NAMESPACE).withName(name).get();
  }

  private PersistentVolumeClaim claim(String name) {
    return client.persistentVolumeClaims().inNamespace(FabricaCluster.NAMESPACE).withName(name).get();
  }

  private PersistentVolume volume(String name) {
    return client.persistentVolumes().withName(name).get();
  }
}
