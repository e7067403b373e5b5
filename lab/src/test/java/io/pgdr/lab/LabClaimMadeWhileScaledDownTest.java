package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How a point-in-time recovery gets a volume to restore into: with the StatefulSet scaled down, the
 * claim deleted and made again from the StatefulSet's template is bound to a new, empty volume on
 * the node's data directory, the old one released by its reclaim policy, and no server starts until
 * the StatefulSet scales up, on whatever the volume then holds.
 */
@org.junit.jupiter.api.Tag("real-servers")
class LabClaimMadeWhileScaledDownTest extends PerTestInProcessLab {

  private static final Duration SCALE_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void aRetainedVolumeKeepsItsDataTheNewClaimGetsAnEmptyVolumeAndTheRestoredDataStartsOnScaleUp() throws Exception {
    PostgresNode node = lab.pair.primary();
    Sql.execute(node, lab.pair.database(), "CREATE TABLE marker (note text)");
    Sql.execute(node, lab.pair.database(), "INSERT INTO marker VALUES ('written before the restore')");
    PersistentVolume old = lab.boundVolume(LabVolumes.claimName(node));
    scaleTo(0);
    lab.client().persistentVolumes().withName(old.getMetadata().getName()).patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Retain\"}}");

    PersistentVolume fresh = deleteAndMakeTheClaimAgain(node);

    PersistentVolume released = lab.client().persistentVolumes().withName(old.getMetadata().getName()).get();
    assertEquals("Released", released.getStatus().getPhase());
    Path kept = dir.resolve("volumes").resolve(old.getMetadata().getName());
    assertEquals(kept.toString(), released.getSpec().getHostPath().getPath());
    assertTrue(Files.exists(kept.resolve("PG_VERSION")), "the old data is kept");
    assertNotEquals(old.getMetadata().getName(), fresh.getMetadata().getName());
    assertAnEmptyVolumeAndNoServer(node);

    // what the restore does: its data into the new volume, through the volume's hostPath
    copyTree(kept, Path.of(fresh.getSpec().getHostPath().getPath()));
    PostgresOsUser.own(node.dataDir());
    scaleTo(1);

    Eventually.await(node.name() + " ready on the restored data", SCALE_TIMEOUT,
        () -> lab.pod(node) != null && LabReconciler.isReady(lab.pod(node)));
    assertEquals("written before the restore", Sql.query(node, lab.pair.database(), "SELECT note FROM marker"));
    assertEquals(fresh.getMetadata().getName(), lab.claim(LabVolumes.claimName(node)).getSpec().getVolumeName());
  }

  @Test
  void withTheDeletePolicyTheOldDataIsGoneAndAnEmptyVolumeScaledUpLeavesItsPodNotReady() throws Exception {
    PostgresNode node = lab.pair.standby();
    PersistentVolume old = lab.boundVolume(LabVolumes.claimName(node));
    scaleTo(1);

    deleteAndMakeTheClaimAgain(node);

    assertNull(lab.client().persistentVolumes().withName(old.getMetadata().getName()).get(), "Kubernetes' semantics");
    assertFalse(Files.exists(dir.resolve("volumes").resolve(old.getMetadata().getName())), "no copy kept");
    assertAnEmptyVolumeAndNoServer(node);

    scaleTo(2);

    Eventually.await(node.name() + " recreated", SCALE_TIMEOUT, () -> lab.pod(node) != null);
    // the reconciler goes on: the primary's pod stays ready, the StatefulSet counts one ready replica
    Eventually.await("the StatefulSet at 1 ready replica of 2", SCALE_TIMEOUT, () -> {
      var status = statefulSet().get().getStatus();
      return Integer.valueOf(2).equals(status.getReplicas()) && Integer.valueOf(1).equals(status.getReadyReplicas());
    });
    Thread.sleep(1_000);
    assertFalse(LabReconciler.isReady(lab.pod(node)), "no server on an empty volume");
    assertFalse(node.isRunning());
    assertTrue(LabReconciler.isReady(lab.pod(lab.pair.primary())));
    assertEmpty(node.dataDir());
  }

  @Test
  void aClaimDeletedWhileScaledDownChangesNothingAndOneMadeAgainNamingItsVolumeIsBoundToIt() throws Exception {
    PostgresNode node = lab.pair.standby();
    PersistentVolume volume = lab.boundVolume(LabVolumes.claimName(node));
    scaleTo(1);

    lab.client().persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(LabVolumes.claimName(node)).delete();
    // a negative can only be observed over time: several reconciler rounds (200 ms apart) see the gap
    Thread.sleep(1_500);

    assertNull(lab.claim(LabVolumes.claimName(node)), "no claim made by the lab while the StatefulSet wants no pod");
    PersistentVolume after = lab.boundVolume(LabVolumes.claimName(node));
    assertEquals(volume.getMetadata().getName(), after.getMetadata().getName());
    assertEquals(node.dataDir().toString(), after.getSpec().getHostPath().getPath());
    assertTrue(Files.exists(node.dataDir().resolve("PG_VERSION")), "the data is where it was");
    assertNull(lab.pod(node));
    assertFalse(node.isRunning());

    // made again naming that volume, as a round that failed between binding's two steps leaves a
    // claim: the binding is finished, nothing released, the data left where it is
    makeTheClaim(node, volume.getMetadata().getName());

    assertEquals(volume.getMetadata().getName(), lab.claim(LabVolumes.claimName(node)).getSpec().getVolumeName());
    assertEquals(volume.getMetadata().getName(), lab.boundVolume(LabVolumes.claimName(node)).getMetadata().getName());
    assertTrue(Files.exists(node.dataDir().resolve("PG_VERSION")), "the data is where it was");
  }

  /** Deletes the node's claim and makes it again as a user would; returns the volume it gets bound to. */
  private PersistentVolume deleteAndMakeTheClaimAgain(PostgresNode node) {
    String name = LabVolumes.claimName(node);
    lab.client().persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName(name).delete();
    Eventually.await(name + " deleted", SCALE_TIMEOUT, () -> lab.claim(name) == null);
    PersistentVolumeClaim claim = makeTheClaim(node, null);
    PersistentVolume fresh = lab.client().persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
    assertNotNull(fresh, "the claim's volume exists");
    assertTrue(fresh.getMetadata().getName().startsWith("pvc-"), fresh.getMetadata().getName());
    assertEquals("Bound", fresh.getStatus().getPhase());
    assertEquals("Delete", fresh.getSpec().getPersistentVolumeReclaimPolicy(), "the provisioner's default");
    assertEquals(name, fresh.getSpec().getClaimRef().getName());
    assertEquals(node.dataDir().toString(), fresh.getSpec().getHostPath().getPath());
    assertEquals(statefulSet().get().getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources(),
        claim.getSpec().getResources(), "the claim stays as it was made");
    assertEquals(fresh, lab.boundVolume(name), "the only volume bound to the claim");
    return fresh;
  }

  /**
   * Makes the node's claim from the StatefulSet's volumeClaimTemplate, Pending, naming the volume
   * (or none, as the StatefulSet controller and a user do); returns it once the lab has bound it.
   */
  private PersistentVolumeClaim makeTheClaim(PostgresNode node, String volumeName) {
    String name = LabVolumes.claimName(node);
    StatefulSet set = statefulSet().get();
    PersistentVolumeClaim template = set.getSpec().getVolumeClaimTemplates().get(0);
    lab.client().persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(name).withNamespace(KubernetesFixture.NAMESPACE)
          .withLabels(set.getSpec().getSelector().getMatchLabels()).endMetadata()
        .withSpec(template.getSpec()).editSpec().withVolumeName(volumeName).endSpec()
        .withNewStatus().withPhase("Pending").endStatus()
        .build()).create();
    Eventually.await(name + " bound", SCALE_TIMEOUT, () -> {
      PersistentVolumeClaim claim = lab.claim(name);
      return claim.getSpec().getVolumeName() != null && "Bound".equals(claim.getStatus().getPhase());
    });
    return lab.claim(name);
  }

  /** What a provisioner hands out, left alone over several reconciler rounds: no initdb, no server, no pod. */
  private void assertAnEmptyVolumeAndNoServer(PostgresNode node) throws Exception {
    String volume = lab.claim(LabVolumes.claimName(node)).getSpec().getVolumeName();
    Thread.sleep(1_000);
    assertEmpty(node.dataDir());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.dataDir())));
    if (PostgresOsUser.runningAsRoot()) {
      assertEquals("postgres", Files.getOwner(node.dataDir()).getName());
    }
    assertEquals(volume, lab.claim(LabVolumes.claimName(node)).getSpec().getVolumeName(), "bound once");
    assertNull(lab.pod(node));
    assertFalse(node.isRunning());
  }

  private static void assertEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(List.of(), entries.toList(), dir + " is empty");
    }
  }

  private void scaleTo(int replicas) {
    statefulSet().scale(replicas);
    Eventually.await("pods and servers at " + replicas + " replicas", SCALE_TIMEOUT, () -> {
      for (int ordinal = replicas; ordinal < lab.pair.nodes().size(); ordinal++) {
        PostgresNode node = lab.pair.nodes().get(ordinal);
        if (lab.pod(node) != null || node.isRunning()) {
          return false;
        }
      }
      return true;
    });
  }

  private RollableScalableResource<StatefulSet> statefulSet() {
    return lab.client().apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (!Files.isDirectory(target)) {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
