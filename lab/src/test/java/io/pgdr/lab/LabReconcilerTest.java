package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.pgdr.ports.KubernetesLabels;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reconciler makes the mock API behave like a cluster whose pods are the real servers. */
@org.junit.jupiter.api.Tag("real-servers")
class LabReconcilerTest extends PerTestInProcessLab {

  PodResource pod(String name) {
    return lab.client().pods().inNamespace(KubernetesFixture.NAMESPACE).withName(name);
  }

  @Test
  void applicationsAreReadyAtTheirReplicasWhileTheServiceDatabaseAnswers() {
    var api = lab.client().apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.API_DEPLOYMENT);
    Eventually.await("fabrica-api 3 ready", Duration.ofSeconds(5), () -> Integer.valueOf(3).equals(api.get().getStatus().getReadyReplicas()));

    api.scale(1);
    Eventually.await("fabrica-api 1 ready after scaling", Duration.ofSeconds(5), () -> Integer.valueOf(1).equals(api.get().getStatus().getReadyReplicas()));

    lab.pair.primary().stopImmediate();
    Eventually.await("fabrica-api not ready without its database", Duration.ofSeconds(5),
        () -> Integer.valueOf(0).equals(api.get().getStatus().getReadyReplicas()));
  }

  @Test
  void podReadinessFollowsTheServer() {
    Eventually.await("postgresql-0 ready", Duration.ofSeconds(5), () -> LabReconciler.isReady(pod("postgresql-0").get()));

    lab.pair.primary().stopImmediate();

    // readiness and phase may change on different reconciler ticks while the server goes down
    Eventually.await("postgresql-0 not ready and Failed", Duration.ofSeconds(5),
        () -> !LabReconciler.isReady(pod("postgresql-0").get()) && "Failed".equals(pod("postgresql-0").get().getStatus().getPhase()));
    // a dead server is a lost node: nobody restarts it
    assertFalse(lab.pair.primary().isRunning());
  }

  @Test
  void aDeletedPodIsRecreatedAndItsServerRestarted() {
    String oldUid = pod("postgresql-1").get().getMetadata().getUid();

    pod("postgresql-1").delete();

    Eventually.await("postgresql-1 recreated and ready", Duration.ofSeconds(20), () -> {
      Pod pod = pod("postgresql-1").get();
      return pod != null && !pod.getMetadata().getUid().equals(oldUid) && LabReconciler.isReady(pod);
    });
    assertTrue(lab.pair.standby().isRunning());
    assertEquals("t", Sql.queryQuietly(lab.pair.standby(), "postgres", "SELECT pg_is_in_recovery()"));
  }

  @Test
  void aFencedPodComesBackReadOnly() {
    lab.client().apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(KubernetesFixture.STATEFUL_SET)
        .edit(s -> { s.getMetadata().getAnnotations().put(KubernetesLabels.FENCED_PODS, "postgresql-0"); return s; });

    pod("postgresql-0").delete();

    Eventually.await("postgresql-0 back and ready", Duration.ofSeconds(20),
        () -> pod("postgresql-0").get() != null && LabReconciler.isReady(pod("postgresql-0").get()));
    assertEquals("t", Sql.queryQuietly(lab.pair.primary(), "postgres", "SELECT pg_is_in_recovery()"));
    SQLException refused = assertThrows(SQLException.class, () -> Sql.execute(lab.pair.primary(),
        lab.pair.database(), "INSERT INTO stories (title) VALUES ('split brain')"));
    assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
  }

  @Test
  void scalingTheStatefulSetStopsAndStartsServersByOrdinal() {
    var statefulSet = lab.client().apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(KubernetesFixture.STATEFUL_SET);

    statefulSet.scale(1);

    Eventually.await("postgresql-1 stopped and its pod gone", Duration.ofSeconds(20),
        () -> !lab.pair.standby().isRunning() && pod("postgresql-1").get() == null);
    assertTrue(lab.pair.primary().isRunning());

    statefulSet.scale(2);

    Eventually.await("postgresql-1 back and ready", Duration.ofSeconds(20),
        () -> pod("postgresql-1").get() != null && LabReconciler.isReady(pod("postgresql-1").get()));
    assertTrue(lab.pair.standby().isRunning());
  }
}
