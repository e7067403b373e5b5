package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.KubernetesLabels;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ScratchInstanceName;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore rehearsal's scratch server on a cluster: a StatefulSet of one pod beside the target's,
 * on a claim of its own, deleted with that claim when the drill ends. Built from the target's
 * PostgreSQL container (its image, resources and security settings) but nothing else of its pod:
 * no init containers or sidecars (a Patroni or replication sidecar would join production), no
 * service account token, none of its labels. The image initialises an empty server on its first
 * start with the target's credentials Secret, as a restore onto a new volume relies on.
 */
final class ScratchInstance {

  private static final Logger log = LoggerFactory.getLogger(ScratchInstance.class);

  /** The label a scratch StatefulSet selects its pod by, and its claim carries: its own name. */
  static final String INSTANCE = "app.kubernetes.io/instance";
  /** The database a fresh server always has: where the restore creates the scratch database from. */
  static final String MAINTENANCE_DATABASE = "postgres";
  private static final String CONTAINER = "postgres";
  /** What a pod that will not start by itself shows: it is given a few minutes (a node scaling up), then the drill fails. */
  private static final java.util.regex.Pattern CANNOT_START = java.util.regex.Pattern.compile(
      "Unschedulable|ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CrashLoopBackOff");
  static final java.time.Duration GIVE_UP_AFTER = java.time.Duration.ofMinutes(5);

  private final KubernetesClient client;
  private final Consumer<Object> heartbeat;

  ScratchInstance(KubernetesClient client, Consumer<Object> heartbeat) {
    this.client = client;
    this.heartbeat = heartbeat;
  }

  PostgresServer create(DatabaseTarget target, String name, String runId) {
    requireScratchName(name);
    SecretRef credentials = target.postgres().credentials();
    if (credentials.secret() == null || credentials.secret().isBlank()) {
      throw refused("a scratch StatefulSet takes its credentials from the target's Secret (postgres.credentials.secret), and this"
          + " target names environment variables: set drill.scratch: database to rehearse in a scratch database instead");
    }
    String ns = target.namespace();
    StatefulSet existing = client.apps().statefulSets().inNamespace(ns).withName(name).get();
    if (existing == null) {
      StatefulSet production = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet()).get();
      if (production == null) {
        throw MissingResource.failure("StatefulSet", ns, target.statefulSet());
      }
      client.apps().statefulSets().inNamespace(ns).resource(build(target, production, name, runId)).create();
      log.info("StatefulSet {}/{} created for drill run {}: a scratch server on a new claim", ns, name, runId);
    } else {
      requireThisRun(existing, "StatefulSet", name, runId);
    }
    return awaitReady(target, name);
  }

  boolean delete(DatabaseTarget target, String name, String runId) {
    requireScratchName(name);
    String ns = target.namespace();
    String podName = ScratchInstanceName.pod(name);
    boolean deleted = false;
    while (true) {
      List<String> left = new ArrayList<>();
      StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(name).get();
      if (sts != null) {
        requireThisRun(sts, "StatefulSet", name, runId);
        if (sts.getMetadata().getDeletionTimestamp() == null) {
          // foreground: the StatefulSet goes after its pod, so its controller never brings the pod back
          client.apps().statefulSets().inNamespace(ns).withName(name).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
          log.info("StatefulSet {}/{} of drill run {} deleted", ns, name, runId);
          deleted = true;
        }
        left.add("StatefulSet " + name);
      } else {
        // its pod and claim once it is gone (a garbage collector and the claim retention policy do it
        // on a cluster; not every cluster has the policy): asked again each round until they are gone
        Pod pod = client.pods().inNamespace(ns).withName(podName).get();
        if (pod != null) {
          requireScratchLabels(pod, "pod", name);
          if (pod.getMetadata().getDeletionTimestamp() == null) {
            client.pods().inNamespace(ns).withName(podName).delete();
            deleted = true;
          }
          left.add("pod " + podName);
        }
        for (PersistentVolumeClaim claim : claims(ns, name)) {
          requireThisRun(claim, "PersistentVolumeClaim", name, runId);
          if (claim.getMetadata().getDeletionTimestamp() == null) {
            client.persistentVolumeClaims().inNamespace(ns).withName(claim.getMetadata().getName()).delete();
            log.info("PersistentVolumeClaim {}/{} of drill run {} deleted", ns, claim.getMetadata().getName(), runId);
            deleted = true;
          }
          left.add("claim " + claim.getMetadata().getName());
        }
      }
      if (left.isEmpty()) {
        return deleted;
      }
      WaitRound.pause(heartbeat, "waiting for " + String.join(", ", left) + " to be gone");
    }
  }

  /** The StatefulSet a drill of {@code target} creates under {@code name}; pure, so tests read what a cluster is sent. */
  static StatefulSet build(DatabaseTarget target, StatefulSet production, String name, String runId) {
    PersistentVolumeClaim template = FreshVolume.claimTemplate(production, target);
    String claimTemplate = template.getMetadata().getName();
    Container source = postgresContainer(production, target.postgres().port());
    String mountPath = source.getVolumeMounts() == null ? null : source.getVolumeMounts().stream()
        .filter(m -> claimTemplate.equals(m.getName())).map(VolumeMount::getMountPath).findFirst().orElse(null);
    if (mountPath == null) {
      throw refused("container " + source.getName() + " of StatefulSet " + target.statefulSet() + " does not mount " + claimTemplate
          + ": pgdr cannot tell where its data directory lives");
    }
    Map<String, String> labels = Map.of(KubernetesLabels.SCRATCH_OF, target.statefulSet(), INSTANCE, name,
        KubernetesLabels.MANAGED_BY, "pgdr");
    SecretRef credentials = target.postgres().credentials();
    List<EnvVar> env = List.of(
        secretEnv("POSTGRES_USER", credentials.secret(), credentials.usernameKey()),
        secretEnv("POSTGRES_PASSWORD", credentials.secret(), credentials.passwordKey()),
        new EnvVar("PGDATA", dataDirectory(source, mountPath), null),
        // the server's default port, so it answers where the target's servers do
        new EnvVar("PGPORT", String.valueOf(target.postgres().port()), null));
    Container container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(source.getImage())
        .withImagePullPolicy(source.getImagePullPolicy())
        .addNewPort().withName("postgresql").withContainerPort(target.postgres().port()).endPort()
        .withEnv(env)
        .addNewVolumeMount().withName(claimTemplate).withMountPath(mountPath).endVolumeMount()
        .withResources(source.getResources())
        .withSecurityContext(source.getSecurityContext())
        .withNewReadinessProbe()
          .withNewExec().withCommand("pg_isready", "-h", "127.0.0.1", "-p", String.valueOf(target.postgres().port())).endExec()
          .withPeriodSeconds(2)
        .endReadinessProbe()
        .build();
    var podSpec = production.getSpec().getTemplate().getSpec();
    return new StatefulSetBuilder()
        .withNewMetadata()
          .withName(name).withNamespace(target.namespace()).withLabels(labels)
          .withAnnotations(Map.of(KubernetesLabels.SCRATCH_RUN, runId))
        .endMetadata()
        .withNewSpec()
          .withReplicas(1)
          .withServiceName(name)
          .withNewSelector().withMatchLabels(Map.of(INSTANCE, name, KubernetesLabels.SCRATCH_OF, target.statefulSet())).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              .withContainers(container)
              .withImagePullSecrets(podSpec == null ? null : podSpec.getImagePullSecrets())
              .withSecurityContext(podSpec == null ? null : podSpec.getSecurityContext())
              .withAutomountServiceAccountToken(false)
            .endSpec()
          .endTemplate()
          .withVolumeClaimTemplates(new PersistentVolumeClaimBuilder()
              .withNewMetadata().withName(claimTemplate).withLabels(labels).withAnnotations(Map.of(KubernetesLabels.SCRATCH_RUN, runId))
              .endMetadata()
              .withSpec(newVolume(target, template))
              .build())
          .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Delete").withWhenScaled("Delete")
          .endPersistentVolumeClaimRetentionPolicy()
        .endSpec()
        .build();
  }

  /**
   * What the scratch claim asks of the cluster: a new, dynamically provisioned volume of the size,
   * access modes, volume mode and StorageClass of the target's. Nothing that could bind it to an
   * existing volume (a volumeName, a selector, static binding) or fill it from one (a data source,
   * a snapshot of production's): deleting the claim afterwards must only ever delete a new volume.
   */
  private static PersistentVolumeClaimSpec newVolume(DatabaseTarget target, PersistentVolumeClaim template) {
    PersistentVolumeClaimSpec spec = template.getSpec();
    if ("".equals(spec.getStorageClassName())) {
      throw refused("the volumeClaimTemplate of StatefulSet " + target.namespace() + "/" + target.statefulSet() + " binds statically"
          + " (storageClassName: \"\"): a scratch claim could take a volume meant for production. Set drill.scratch: database");
    }
    return new PersistentVolumeClaimSpecBuilder()
        .withAccessModes(spec.getAccessModes())
        .withVolumeMode(spec.getVolumeMode())
        .withStorageClassName(spec.getStorageClassName())
        .withResources(spec.getResources())
        .build();
  }

  /** The container serving PostgreSQL: the one exposing the target's port, else the first. */
  private static Container postgresContainer(StatefulSet production, int port) {
    List<Container> containers = production.getSpec().getTemplate().getSpec().getContainers();
    return containers.stream()
        .filter(c -> c.getPorts() != null && c.getPorts().stream().anyMatch(p -> p.getContainerPort() != null && p.getContainerPort() == port))
        .findFirst().orElse(containers.get(0));
  }

  /** The target's own PGDATA when it sets one plainly; else a directory below the mount (a volume's root may hold lost+found). */
  private static String dataDirectory(Container source, String mountPath) {
    return source.getEnv() == null ? mountPath + "/pgdata" : source.getEnv().stream()
        .filter(e -> "PGDATA".equals(e.getName()) && e.getValue() != null && e.getValue().startsWith(mountPath))
        .map(EnvVar::getValue).findFirst().orElse(mountPath + "/pgdata");
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef()
        .endValueFrom().build();
  }

  private PostgresServer awaitReady(DatabaseTarget target, String name) {
    String ns = target.namespace();
    String podName = ScratchInstanceName.pod(name);
    long stuckSince = 0;
    while (true) {
      Pod pod = client.pods().inNamespace(ns).withName(podName).get();
      String seen = "not created yet";
      if (pod != null && pod.getMetadata().getDeletionTimestamp() == null) {
        PodState state = ClusterReader.podState(target, pod, FencedPods.from(null, KubernetesLabels.FENCED_PODS));
        if (state.ready() && state.host() != null) {
          log.info("scratch pod {}/{} is ready at {}:{}", ns, podName, state.host(), state.port());
          return new PostgresServer(podName, state.host(), state.port(), MAINTENANCE_DATABASE, ns, target.postgres().credentials());
        }
        String reasons = waitingReasons(pod);
        seen = state.phase() + ", not ready" + (reasons.isEmpty() ? "" : " (" + reasons + ")");
        if (reasons.isEmpty() || !CANNOT_START.matcher(reasons).find()) {
          stuckSince = 0;
        } else if (stuckSince == 0) {
          stuckSince = System.nanoTime();
        } else if (System.nanoTime() - stuckSince > GIVE_UP_AFTER.toNanos()) {
          // a retry would wait as long for the same answer
          throw refused("scratch pod " + ns + "/" + podName + " cannot start: " + reasons + " for " + GIVE_UP_AFTER.toMinutes()
              + " minutes (kubectl -n " + ns + " describe pod " + podName + ")");
        }
      }
      WaitRound.pause(heartbeat, "waiting for scratch pod " + podName + ": " + seen);
    }
  }

  /** Why a container waits (ImagePullBackOff, CrashLoopBackOff) or the pod is not scheduled: shown on the run while it waits. */
  private static String waitingReasons(Pod pod) {
    List<String> reasons = new ArrayList<>();
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
          && c.getReason() != null).forEach(c -> reasons.add(c.getReason()));
    }
    List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses != null) {
      statuses.stream().filter(s -> s.getState() != null && s.getState().getWaiting() != null)
          .map(s -> s.getState().getWaiting().getReason()).filter(r -> r != null).forEach(reasons::add);
    }
    return String.join(", ", reasons);
  }

  private List<PersistentVolumeClaim> claims(String ns, String name) {
    return client.persistentVolumeClaims().inNamespace(ns).withLabel(INSTANCE, name).list().getItems();
  }

  private static void requireScratchName(String name) {
    if (!ScratchInstanceName.isScratch(name)) {
      throw refused("'" + name + "' is not a drill's scratch StatefulSet name (pgdr-drill-<statefulSet>-<run>): a drill makes and"
          + " deletes nothing else");
    }
  }

  private static void requireThisRun(HasMetadata resource, String kind, String name, String runId) {
    requireScratchLabels(resource, kind, name);
    var annotations = resource.getMetadata().getAnnotations();
    String madeBy = annotations == null ? null : annotations.get(KubernetesLabels.SCRATCH_RUN);
    if (!runId.equals(madeBy)) {
      throw refused(kind + " " + resource.getMetadata().getNamespace() + "/" + name + " was made by " + (madeBy == null ? "someone else"
          : "drill run " + madeBy) + ", not by this run: pgdr leaves it alone");
    }
  }

  private static void requireScratchLabels(HasMetadata resource, String kind, String name) {
    var labels = resource.getMetadata().getLabels();
    if (labels == null || labels.get(KubernetesLabels.SCRATCH_OF) == null || !name.equals(labels.get(INSTANCE))) {
      throw refused(kind + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName() + " does not carry the"
          + " labels of drill scratch " + name + " (" + KubernetesLabels.SCRATCH_OF + ", " + INSTANCE + "): pgdr leaves it alone");
    }
  }

  private static ApplicationFailure refused(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.SCRATCH_INSTANCE_REFUSED);
  }
}
