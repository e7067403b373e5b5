package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the volume provisioner and the PersistentVolume controller: each server's data directory is
 * the hostPath of a PersistentVolume bound to the claim {@code data-<pod>}. When a claim is gone,
 * its volume is released by its reclaim policy: Retain keeps the data (moved under
 * {@code <pair dir>/volumes/<pv>}, the lab's detached disk), Delete destroys it, as a dynamic
 * provisioner does. A new volume is always the node's data directory: the lab has one disk a node.
 */
final class LabVolumes {

  private static final Logger log = LoggerFactory.getLogger(LabVolumes.class);

  /** The StatefulSet's volumeClaimTemplate; claims are named {@code <template>-<pod>}. */
  static final String CLAIM_TEMPLATE = "data";
  static final String CAPACITY = "10Gi";
  static final String ACCESS_MODE = "ReadWriteOnce";
  /** Where released volumes that were retained keep their data, under the pair's directory. */
  static final String RETAINED_DIR = "volumes";
  static final String RETAIN = "Retain";
  private static final String DELETE = "Delete";
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

  private final KubernetesClient client;
  private final Path retainedDir;

  LabVolumes(KubernetesClient client, PostgresPair pair) {
    this.client = client;
    this.retainedDir = pair.dir().resolve(RETAINED_DIR);
  }

  static String claimName(PostgresNode node) {
    return claimName(node.name());
  }

  static String claimName(String pod) {
    return CLAIM_TEMPLATE + "-" + pod;
  }

  /** The volume a pod has had since the lab was created, under a stable name. */
  void bindInitialVolume(PostgresNode node) {
    bind(node, "pv-" + node.name());
  }

  /**
   * A new volume on the node's (emptied) data directory and a new claim bound to it, named like a
   * CSI provisioner names them.
   *
   * @return the new volume's name
   */
  String provisionNewVolume(PostgresNode node) {
    String volume = "pvc-" + UUID.randomUUID();
    bind(node, volume);
    return volume;
  }

  /**
   * True when the claim names a volume that exists and is Bound, as the PersistentVolume controller
   * leaves a claim it has bound; false for a claim as a user creates it (no volumeName, Pending).
   */
  boolean namesBoundVolume(PersistentVolumeClaim claim) {
    String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
    if (volumeName == null || volumeName.isBlank()) {
      return false;
    }
    PersistentVolume volume = client.persistentVolumes().withName(volumeName).get();
    return volume != null && volume.getStatus() != null && "Bound".equals(volume.getStatus().getPhase());
  }

  /**
   * What a provisioner does for a claim that is not bound: a new volume on the node's data
   * directory, handed out empty (owned by the server account, mode 700, as a postgres image's volume
   * is), and the claim bound to it. The node's old volumes must have been released and its server
   * stopped. Nothing is initialised in it: whoever made the claim fills it (a restore, or a server's
   * first start).
   *
   * @return the new volume's name
   */
  String provisionEmptyVolume(PostgresNode node) {
    prepareEmptyDirectory(node.dataDir());
    String volume = "pvc-" + UUID.randomUUID();
    createVolume(node, volume);
    bindClaim(node, volume);
    return volume;
  }

  /**
   * Binds the node's existing claim to the volume as the PersistentVolume controller does: its spec
   * names the volume, then its status says Bound, so a client that waits for Bound finds the name.
   * The claim otherwise stays as its maker wrote it. Either step may be done already.
   */
  void bindClaim(PostgresNode node, String volume) {
    var claim = client.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName(claimName(node));
    claim.patch(JSON_PATCH, json(List.of(Map.of("op", "add", "path", "/spec/volumeName", "value", volume))));
    Map<String, Object> bound = Map.of("phase", "Bound", "accessModes", List.of(ACCESS_MODE),
        "capacity", Map.of("storage", CAPACITY));
    claim.subresource("status").patch(JSON_PATCH, json(List.of(Map.of("op", "add", "path", "/status", "value", bound))));
  }

  /**
   * Releases every volume still bound to the node's claim, by its reclaim policy. The server must be
   * stopped. A released volume keeps its claimRef (as in a cluster) but is never released twice.
   */
  void releaseVolumesOf(PostgresNode node) {
    String claim = claimName(node);
    for (PersistentVolume volume : client.persistentVolumes().list().getItems()) {
      var claimRef = volume.getSpec().getClaimRef();
      boolean boundToClaim = claimRef != null && claim.equals(claimRef.getName())
          && KubernetesFixture.NAMESPACE.equals(claimRef.getNamespace())
          && !"Released".equals(volume.getStatus() == null ? null : volume.getStatus().getPhase());
      if (boundToClaim) {
        release(volume, node);
      }
    }
  }

  private void release(PersistentVolume volume, PostgresNode node) {
    String name = volume.getMetadata().getName();
    Path data = Path.of(volume.getSpec().getHostPath().getPath());
    if (RETAIN.equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
      Path kept = retainedDir.resolve(name);
      // a round that failed after the move finds the data already kept
      if (Files.exists(data) && !Files.exists(kept)) {
        move(data, kept);
      }
      patch(name, Map.of("spec", Map.of("hostPath", Map.of("path", kept.toString()))));
      client.persistentVolumes().withName(name).subresource("status")
          .patch(MERGE, json(Map.of("status", Map.of("phase", "Released"))));
      log.info("claim {} gone: volume {} (Retain) released, its data kept in {}", claimName(node), name, kept);
    } else {
      // the data first: a round that fails between the two still finds the volume to release
      deleteTree(data);
      client.persistentVolumes().withName(name).delete();
      log.info("claim {} gone: volume {} ({}) deleted with its data {}", claimName(node), name,
          volume.getSpec().getPersistentVolumeReclaimPolicy(), data);
    }
  }

  /** Creates the volume on the node's data directory, then the claim bound to it. */
  private void bind(PostgresNode node, String volumeName) {
    createVolume(node, volumeName);
    client.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(claimName(node)).withNamespace(KubernetesFixture.NAMESPACE)
          .withLabels(Map.of(KubernetesFixture.APP_LABEL, KubernetesFixture.STATEFUL_SET)).endMetadata()
        .withNewSpec().withAccessModes(ACCESS_MODE).withVolumeName(volumeName)
          .withNewResources().withRequests(Map.of("storage", new Quantity(CAPACITY))).endResources()
        .endSpec()
        .withNewStatus().withPhase("Bound").withAccessModes(ACCESS_MODE)
          .withCapacity(Map.of("storage", new Quantity(CAPACITY))).endStatus()
        .build()).createOr(existing -> existing.update());
  }

  /** A Bound volume on the node's data directory, its claimRef naming the node's claim. */
  private void createVolume(PostgresNode node, String volumeName) {
    client.persistentVolumes().resource(new PersistentVolumeBuilder()
        .withNewMetadata().withName(volumeName).endMetadata()
        .withNewSpec()
          .withCapacity(Map.of("storage", new Quantity(CAPACITY)))
          .withAccessModes(ACCESS_MODE)
          // what dynamic provisioning sets: deleting the claim destroys the data unless someone changes it
          .withPersistentVolumeReclaimPolicy(DELETE)
          .withNewClaimRef().withApiVersion("v1").withKind("PersistentVolumeClaim")
            .withNamespace(KubernetesFixture.NAMESPACE).withName(claimName(node)).endClaimRef()
          .withNewHostPath().withPath(node.dataDir().toString()).endHostPath()
        .endSpec()
        .withNewStatus().withPhase("Bound").endStatus()
        .build()).createOr(existing -> existing.update());
  }

  /**
   * Makes the directory a new volume's root: created if missing (as after its old volume was
   * released), left as it is if empty (a round that failed after creating it), refused if it holds
   * anything, since a provisioner never hands out a volume with someone's data in it.
   */
  private static void prepareEmptyDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new LabException(dir + " is not empty although its volumes were released; not provisioning a"
              + " volume over it: move its contents away");
        }
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      PostgresOsUser.own(dir);
    } catch (IOException e) {
      throw new LabException("cannot prepare " + dir + " as a new volume: " + e.getMessage(), e);
    }
  }

  private void patch(String volume, Map<String, Object> change) {
    client.persistentVolumes().withName(volume).patch(MERGE, json(change));
  }

  private String json(Object value) {
    return client.getKubernetesSerialization().asJson(value);
  }

  private void move(Path data, Path kept) {
    try {
      Files.createDirectories(retainedDir);
      // a rename within the pair's directory: the files keep their owner and the server account's access
      Files.move(data, kept);
    } catch (IOException e) {
      throw new LabException("cannot keep the released volume's data " + data + " in " + kept + ": "
          + e.getMessage(), e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
      for (Path path : deepestFirst) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new LabException("cannot delete " + root + ": " + e.getMessage(), e);
    }
  }
}
