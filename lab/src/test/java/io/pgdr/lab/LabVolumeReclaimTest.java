package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claims and volumes behave as in a cluster whose volumes are dynamically provisioned: a pod
 * deleted with its claim comes back on a new volume with a new, empty server, and the old volume is
 * kept or destroyed by its reclaim policy. One lab serves every test; each test uses the servers in
 * a way the others do not depend on.
 */
@org.junit.jupiter.api.Tag("real-servers")
class LabVolumeReclaimTest {

  private static final Duration REBUILD_TIMEOUT = Duration.ofSeconds(90);

  @TempDir static Path dir;
  static InProcessLab lab;

  @BeforeAll
  static void startLab() {
    lab = InProcessLab.start(dir);
  }

  @AfterAll
  static void stopLab() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void aRetainedVolumeIsReleasedWithItsDataAndThePodComesBackOnANewEmptyVolume() throws Exception {
    PostgresNode node = lab.pair.primary();
    Sql.execute(node, lab.pair.database(), "CREATE TABLE marker (note text)");
    Sql.execute(node, lab.pair.database(), "INSERT INTO marker VALUES ('written before the rebuild')");
    String oldSystem = systemIdentifier(node);
    PersistentVolume old = lab.boundVolume("data-postgresql-0");
    assertEquals("Delete", old.getSpec().getPersistentVolumeReclaimPolicy(), "the provisioner's default");
    lab.client().persistentVolumes().withName(old.getMetadata().getName()).patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Retain\"}}");

    replacePodAndClaim(node);

    PersistentVolume fresh = assertBoundToANewVolume(node, old);
    try (Connection connection = connectWithTheSecret(node)) {
      assertEquals("f", query(connection, "SELECT pg_is_in_recovery()"));
      assertEquals("0", query(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
      assertNotEquals(oldSystem, query(connection, "SELECT system_identifier FROM pg_control_system()"));
    }
    PersistentVolume released = lab.client().persistentVolumes().withName(old.getMetadata().getName()).get();
    assertNotNull(released, "a retained volume outlives its claim");
    assertEquals("Released", released.getStatus().getPhase());
    Path kept = Path.of(released.getSpec().getHostPath().getPath());
    assertEquals(dir.resolve("volumes").resolve(old.getMetadata().getName()), kept);
    assertTrue(Files.exists(kept.resolve("PG_VERSION")));
    assertTrue(Files.isDirectory(kept.resolve("base")));
    assertTrue(Files.exists(kept.resolve("global/pg_control")));
    assertEquals(oldSystem, systemIdentifierOnDisk(kept), "the kept directory is the old server's data");
    assertNotEquals(kept, Path.of(fresh.getSpec().getHostPath().getPath()));

    PostgresPair reopened = PostgresPair.open(dir);
    assertEquals(node.port(), reopened.primary().port());
    assertTrue(reopened.primary().acceptsConnections(), "the pair reopens onto the new server");
  }

  @Test
  void aVolumeWithTheDeletePolicyIsDestroyedWithItsData() throws Exception {
    PostgresNode node = lab.pair.standby();
    String oldSystem = systemIdentifier(node);
    PersistentVolume old = lab.boundVolume("data-postgresql-1");

    replacePodAndClaim(node);

    assertBoundToANewVolume(node, old);
    assertNull(lab.client().persistentVolumes().withName(old.getMetadata().getName()).get());
    assertFalse(Files.exists(dir.resolve("volumes").resolve(old.getMetadata().getName())), "no copy kept");
    try (Connection connection = connectWithTheSecret(node)) {
      assertEquals("f", query(connection, "SELECT pg_is_in_recovery()"), "the standby came back as a new primary");
      assertNotEquals(oldSystem, query(connection, "SELECT system_identifier FROM pg_control_system()"));
      assertEquals("0", query(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
          "the seeded stories are gone with the old data");
    }
  }

  @Test
  void aClaimDeletedUnderARunningPodChangesNothing() throws Exception {
    PostgresNode node = lab.pair.primary();
    Sql.execute(node, lab.pair.database(), "CREATE TABLE in_use (note text)");
    Sql.execute(node, lab.pair.database(), "INSERT INTO in_use VALUES ('still here')");
    String podUid = lab.pod(node).getMetadata().getUid();
    PersistentVolume volume = lab.boundVolume("data-postgresql-0");

    lab.client().persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withName("data-postgresql-0")
        .delete();
    // a negative can only be observed over time: several reconciler rounds (200 ms apart) see the gap
    Thread.sleep(1_500);

    assertEquals(podUid, lab.pod(node).getMetadata().getUid());
    assertTrue(LabReconciler.isReady(lab.pod(node)));
    assertEquals("1", Sql.query(node, lab.pair.database(), "SELECT count(*) FROM in_use"));
    assertEquals(volume.getMetadata().getName(), lab.boundVolume("data-postgresql-0").getMetadata().getName());
    assertNull(lab.claim("data-postgresql-0"), "no new claim while the pod lives");
  }

  private void replacePodAndClaim(PostgresNode node) {
    String podUid = lab.pod(node).getMetadata().getUid();
    // pgdr's order: the claim first (a cluster keeps it Terminating until the pod is gone), then the pod
    lab.client().persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(LabVolumes.claimName(node)).delete();
    lab.client().pods().inNamespace(KubernetesFixture.NAMESPACE).withName(node.name()).delete();
    Eventually.await(node.name() + " recreated and ready", REBUILD_TIMEOUT, () -> {
      Pod pod = lab.pod(node);
      return pod != null && !pod.getMetadata().getUid().equals(podUid) && LabReconciler.isReady(pod);
    });
  }

  /** The new claim is bound to a new volume on the node's data directory, as the pod's volume says. */
  private PersistentVolume assertBoundToANewVolume(PostgresNode node, PersistentVolume old) {
    PersistentVolumeClaim claim = lab.claim(LabVolumes.claimName(node));
    assertNotNull(claim, "the StatefulSet controller recreated the claim");
    assertEquals("Bound", claim.getStatus().getPhase());
    assertNotEquals(old.getMetadata().getName(), claim.getSpec().getVolumeName());
    PersistentVolume fresh = lab.client().persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
    assertNotNull(fresh, "the claim's volume exists");
    assertTrue(fresh.getMetadata().getName().startsWith("pvc-"), fresh.getMetadata().getName());
    assertEquals("Bound", fresh.getStatus().getPhase());
    assertEquals("Delete", fresh.getSpec().getPersistentVolumeReclaimPolicy());
    assertEquals(claim.getMetadata().getName(), fresh.getSpec().getClaimRef().getName());
    assertEquals(node.dataDir().toString(), fresh.getSpec().getHostPath().getPath());
    assertEquals(claim.getMetadata().getName(),
        lab.pod(node).getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
    return fresh;
  }

  /** Connects as a client of the cluster would: with the credentials the Secret holds. */
  private static Connection connectWithTheSecret(PostgresNode node) throws Exception {
    Secret secret = lab.client().secrets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SECRET)
        .get();
    Map<String, String> data = secret.getData();
    return DriverManager.getConnection(node.jdbcUrl(lab.pair.database()), decode(data.get("username")),
        decode(data.get("password")));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static String query(Connection connection, String sql) throws Exception {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static String systemIdentifier(PostgresNode node) throws Exception {
    return Sql.query(node, "postgres", "SELECT system_identifier FROM pg_control_system()");
  }

  /** Reads a stopped data directory's identity from its pg_control file, without starting a server. */
  private static String systemIdentifierOnDisk(Path dataDir) {
    String output = PostgresOsUser.run(List.of(PostgresBinaries.locate().bin("pg_controldata").toString(),
        "-D", dataDir.toString()), Map.of(), Duration.ofSeconds(30));
    return output.lines().filter(line -> line.startsWith("Database system identifier:"))
        .map(line -> line.substring(line.indexOf(':') + 1).strip()).findFirst()
        .orElseThrow(() -> new AssertionError("no system identifier in pg_controldata output:\n" + output));
  }
}
