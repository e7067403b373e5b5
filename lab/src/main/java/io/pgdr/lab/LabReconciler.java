package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgdr.ports.KubernetesLabels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the kubelet, the StatefulSet controller and the volume provisioner for the lab, every
 * 200 ms: pod readiness follows the real server; a deleted pod is recreated and its server restarted
 * on its data (fenced if the StatefulSet lists it as fenced; not before the StatefulSet stops listing it
 * as held, while pgdr works on its data); a pod deleted together with its claim
 * comes back on a new volume, with a new, empty server, after its old volume was released by its
 * reclaim policy ({@link LabVolumes}); a claim deleted under a running pod changes nothing; scaling
 * the StatefulSet stops or starts servers by ordinal; a claim made again while its pod is scaled
 * away gets a new, empty volume and no server, for a restore to fill. A server that dies on its own
 * stays dead, like a lost node (or one whose volume holds no server): its pod just turns not-ready.
 */
public final class LabReconciler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LabReconciler.class);

  // a merge patch of the status subresource carries no resourceVersion, so it never conflicts with
  // a user's concurrent edit of the spec (a scale, an annotation) the way a read-modify-write does
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

  private final KubernetesClient client;
  private final PostgresPair pair;
  private final LabVolumes volumes;
  private ReconcileLoop loop;
  /**
   * How long a recreated pod waits before its server starts, as a kubelet pulling an image and
   * starting a container does: {@value #START_DELAY_ENV} seconds, 0 (start at once) by default.
   * The pod is Pending meanwhile.
   */
  static final String START_DELAY_ENV = "PGDR_LAB_POD_START_DELAY";
  private final Duration startDelay = startDelay(System.getenv(START_DELAY_ENV));
  /** Recreated pods whose server starts later, by node name: when, and whether fenced. */
  private final Map<String, PendingStart> pendingStarts = new HashMap<>();

  private record PendingStart(Instant at, boolean fenced) {}

  /** Claims deleted while their pod runs, already logged: a cluster keeps them Terminating. */
  private final Set<String> claimsHeldByPods = new HashSet<>();

  /** A drill's scratch StatefulSets, each with a server of its own. */
  private final LabScratchInstances scratch;

  private LabReconciler(KubernetesClient client, PostgresPair pair) {
    this.client = client;
    this.pair = pair;
    this.volumes = new LabVolumes(client, pair);
    this.scratch = new LabScratchInstances(client, pair.dir().resolve("scratch-volumes"));
  }

  public static LabReconciler start(KubernetesClient client, PostgresPair pair) {
    LabReconciler reconciler = new LabReconciler(client, pair);
    reconciler.loop = ReconcileLoop.start("lab-reconciler", reconciler::reconcile);
    return reconciler;
  }

  @Override
  public void close() {
    loop.close();
    scratch.close();
  }

  void reconcile() {
    scratch.reconcile();
    StatefulSet statefulSet = client.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(KubernetesFixture.STATEFUL_SET).get();
    if (statefulSet == null) {
      return;
    }
    int replicas = Objects.requireNonNullElse(statefulSet.getSpec().getReplicas(), 0);
    List<Pod> pods = new ArrayList<>();
    for (PostgresNode node : pair.nodes()) {
      pods.add(client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(node.name()).get());
    }
    // read after the pods: a claim is deleted before its pod, so a pod seen missing has its claim seen missing
    Map<String, PersistentVolumeClaim> claims = client.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE)
        .list().getItems().stream().collect(Collectors.toMap(claim -> claim.getMetadata().getName(), claim -> claim));
    int ready = 0;
    Map<String, Boolean> probed = new HashMap<>();
    for (int ordinal = 0; ordinal < pair.nodes().size(); ordinal++) {
      PostgresNode node = pair.nodes().get(ordinal);
      Pod pod = pods.get(ordinal);
      PersistentVolumeClaim claim = claims.get(LabVolumes.claimName(node));
      boolean claimed = claim != null;
      if (claimed || pod == null) {
        claimsHeldByPods.remove(node.name());
      }
      if (ordinal >= replicas) {
        // a claim deleted meanwhile changes nothing: its volume is released when the claim is made again
        if (pod != null) {
          scaleDown(node);
        } else if (claimed && !volumes.namesBoundVolume(claim)) {
          provisionEmptyVolume(node);
        } else if (claimed && !"Bound".equals(claim.getStatus() == null ? null : claim.getStatus().getPhase())) {
          // a round failed between naming the volume and marking the claim: finish, as the controller does
          volumes.bindClaim(node, claim.getSpec().getVolumeName());
        }
      } else if (pod == null && claimed) {
        // read again now that the pod is seen missing: a fence or a hold written before the pod was
        // deleted may be newer than the StatefulSet read at the start of this round
        StatefulSet now = client.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE)
            .withName(KubernetesFixture.STATEFUL_SET).get();
        recreate(node, podsListed(now, KubernetesLabels.FENCED_PODS).contains(node.name()),
            podsListed(now, KubernetesLabels.HELD_PODS).contains(node.name()));
      } else if (pod == null) {
        replaceVolume(node);
      } else {
        if (!claimed && claimsHeldByPods.add(node.name())) {
          log.info("claim {} deleted while pod {} uses it: it stays until the pod goes, the server is left alone",
              LabVolumes.claimName(node), node.name());
        }
        boolean nodeReady = mirrorReadiness(pod, node, podsListed(statefulSet, KubernetesLabels.HELD_PODS).contains(node.name()));
        probed.put(node.name(), nodeReady);
        if (nodeReady) {
          ready++;
        }
      }
    }
    recordReadyReplicas(statefulSet, replicas, ready);
    mirrorApplications(probed);
  }

  /**
   * Plays the application Deployments' pods: their readiness probes pass when the database the
   * Service sends them to accepts connections, so a Deployment is ready at its replica count then,
   * and at none otherwise. Only the status is patched, and only when it changes.
   *
   * @param probed the servers this round already probed, by pod name
   */
  private void mirrorApplications(Map<String, Boolean> probed) {
    var service = client.services().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SERVICE).get();
    String selected = service == null || service.getSpec().getSelector() == null ? null
        : service.getSpec().getSelector().get(KubernetesLabels.POD_NAME);
    boolean databaseUp = pair.nodes().stream().anyMatch(n -> n.name().equals(selected)
        && probed.computeIfAbsent(n.name(), name -> n.acceptsConnections()));
    for (Deployment deployment : client.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).list().getItems()) {
      int wanted = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
      int ready = databaseUp ? wanted : 0;
      var status = deployment.getStatus();
      if (status != null && Objects.equals(status.getReplicas(), wanted) && Objects.equals(status.getReadyReplicas(), ready)) {
        continue;
      }
      Map<String, Object> counts = Map.of("replicas", wanted, "readyReplicas", ready, "availableReplicas", ready, "updatedReplicas", wanted);
      client.apps().deployments().inNamespace(KubernetesFixture.NAMESPACE).withName(deployment.getMetadata().getName())
          .subresource("status").patch(MERGE, client.getKubernetesSerialization().asJson(Map.of("status", counts)));
    }
  }

  private void scaleDown(PostgresNode node) {
    pendingStarts.remove(node.name());
    log.info("StatefulSet scaled below {}: stopping its server and deleting the pod", node.name());
    node.stopFast();
    client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(node.name()).delete();
  }

  private void recreate(PostgresNode node, boolean fenced, boolean held) {
    log.info("pod {} missing: recreating it and {}{}", node.name(), held ? "holding its server (pgdr works on its data)"
        : "restarting its server", fenced ? " fenced" : "");
    if (node.isRunning()) {
      // a held pod's data is worked on next: its server stops cleanly, as a pod's does on SIGTERM
      if (held) {
        node.stopFast();
      } else {
        node.stopImmediate();
      }
    }
    // the pod exists, not ready, before its server starts, as a kubelet creates the container: a
    // server whose start waits on someone (a recovery fed its WAL by pgdr) is found by its pod
    client.pods().inNamespace(KubernetesFixture.NAMESPACE).resource(KubernetesFixture.pod(node, false)).create();
    if (held) {
      // the pod's start-up waits while the StatefulSet lists it as held (an init container, on a cluster)
      pendingStarts.put(node.name(), new PendingStart(Instant.now().plus(startDelay), fenced));
      return;
    }
    if (!startDelay.isZero()) {
      log.info("pod {} Pending: its server starts in {}", node.name(), startDelay);
      pendingStarts.put(node.name(), new PendingStart(Instant.now().plus(startDelay), fenced));
      return;
    }
    startServer(node, fenced);
  }

  private void startServer(PostgresNode node, boolean fenced) {
    try {
      if (fenced) {
        node.startFenced();
      } else {
        node.start();
      }
    } catch (LabException e) {
      log.warn("server of {} did not start: {}", node.name(), e.getMessage());
    }
  }

  /**
   * The StatefulSet controller recreates a missing claim from its template, which a provisioner
   * binds to a new volume: the old volume is released first (kept or destroyed by its reclaim
   * policy), then a new, empty server is initialised on the new volume, as the image's first start
   * does.
   */
  private void replaceVolume(PostgresNode node) {
    log.info("pod {} and claim {} missing: stopping its server and releasing its volume", node.name(),
        LabVolumes.claimName(node));
    if (node.isRunning()) {
      node.stopImmediate();
    }
    volumes.releaseVolumesOf(node);
    String volume = volumes.provisionNewVolume(node);
    log.info("claim {} bound to new volume {}: initialising an empty primary in {}", LabVolumes.claimName(node),
        volume, node.dataDir());
    try {
      pair.initEmptyPrimary(node);
    } catch (LabException e) {
      log.warn("the new server of {} did not start: {}", node.name(), e.getMessage());
    }
    client.pods().inNamespace(KubernetesFixture.NAMESPACE)
        .resource(KubernetesFixture.pod(node, node.acceptsConnections())).create();
    log.info("pod {} recreated on volume {}", node.name(), volume);
  }

  /**
   * A claim made while no pod is wanted for it (how a restore starts: the StatefulSet scaled down,
   * the claim deleted and made again from its template) gets what a provisioner gives: the node's
   * old volumes are released by their reclaim policy, then the claim is bound to a new, empty
   * volume. No server is initialised and no pod created: whoever made the claim fills the volume,
   * and scaling up starts the server on whatever it holds ({@link #recreate}).
   */
  private void provisionEmptyVolume(PostgresNode node) {
    log.info("claim {} made while {} is scaled down: releasing its old volume", LabVolumes.claimName(node), node.name());
    if (node.isRunning()) {
      node.stopFast();
    }
    volumes.releaseVolumesOf(node);
    String volume = volumes.provisionEmptyVolume(node);
    log.info("claim {} bound to new, empty volume {} in {}; no server until the StatefulSet scales up",
        LabVolumes.claimName(node), volume, node.dataDir());
  }

  /** Patches the pod's status only when the server's state differs from it; returns readiness. */
  private boolean mirrorReadiness(Pod pod, PostgresNode node, boolean held) {
    PendingStart pending = pendingStarts.get(node.name());
    if (pending != null && !held && !Instant.now().isBefore(pending.at())) {
      log.info("pod {}: starting its server{}", node.name(), pending.fenced() ? " fenced" : "");
      pendingStarts.remove(node.name());
      startServer(node, pending.fenced());
      pending = null;
    }
    boolean ready = node.acceptsConnections();
    String phase = node.isRunning() ? "Running" : pending != null ? "Pending" : "Failed";
    if (ready == isReady(pod) && phase.equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())) {
      return ready;
    }
    log.info("pod {} is now {} ({})", node.name(), ready ? "ready" : "not ready", phase);
    patchPodStatus(client, node.name(), phase, ready, node.host(), KubernetesFixture.CONTAINER);
    return ready;
  }

  /** Sets a pod's phase, address, Ready condition and container readiness, as a kubelet reports them. */
  static void patchPodStatus(KubernetesClient client, String pod, String phase, boolean ready, String host, String containerName) {
    PodCondition condition = new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build();
    ContainerStatus container = new ContainerStatusBuilder().withName(containerName).withReady(ready).withRestartCount(0).build();
    // JSON patch "add" replaces each field whole; the mock's merge patch would append to the lists
    List<Map<String, Object>> operations = List.of(
        Map.of("op", "add", "path", "/status/phase", "value", phase),
        Map.of("op", "add", "path", "/status/podIP", "value", host),
        Map.of("op", "add", "path", "/status/conditions", "value", List.of(condition)),
        Map.of("op", "add", "path", "/status/containerStatuses", "value", List.of(container)));
    client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(pod)
        .subresource("status").patch(JSON_PATCH, client.getKubernetesSerialization().asJson(operations));
  }

  private static Duration startDelay(String seconds) {
    if (seconds == null || seconds.isBlank()) {
      return Duration.ZERO;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(seconds.trim())));
    } catch (NumberFormatException e) {
      throw new LabException(START_DELAY_ENV + "=" + seconds + " is not a number of seconds");
    }
  }

  private void recordReadyReplicas(StatefulSet statefulSet, int replicas, int ready) {
    recordReadyReplicas(client, statefulSet, replicas, ready);
  }

  /** The StatefulSet's ready count, patched only when it changed. */
  static void recordReadyReplicas(KubernetesClient client, int replicas, int ready) {
    StatefulSet statefulSet = client.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET).get();
    if (statefulSet != null) {
      recordReadyReplicas(client, statefulSet, replicas, ready);
    }
  }

  private static void recordReadyReplicas(KubernetesClient client, StatefulSet statefulSet, int replicas, int ready) {
    var status = statefulSet.getStatus();
    if (status != null && Objects.equals(status.getReplicas(), replicas)
        && Objects.equals(status.getReadyReplicas(), ready)) {
      return;
    }
    Map<String, Object> counts = Map.of("replicas", replicas, "readyReplicas", ready, "currentReplicas", replicas);
    client.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET)
        .subresource("status").patch(MERGE, client.getKubernetesSerialization().asJson(Map.of("status", counts)));
  }

  static boolean isReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(PodCondition::getStatus)
        .anyMatch("True"::equals);
  }

  /** The pods a StatefulSet annotation lists (fenced, held). */
  static Set<String> podsListed(StatefulSet statefulSet, String key) {
    var annotations = statefulSet == null ? null : statefulSet.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(key);
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }
}
