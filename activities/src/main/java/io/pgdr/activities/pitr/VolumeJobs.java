package io.pgdr.activities.pitr;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a PITR step in a Kubernetes Job when the worker cannot reach the volume's files (any volume
 * but a hostPath or local one on the worker's node): the Job's pod mounts the claim and runs the
 * same code the worker would ({@code pgdr volume-job}, {@link VolumeJobAgent}), in pgdr's image,
 * as the database pod's user. The activity follows the Job and reads the step's result from the
 * pod's termination message.
 *
 * <p>A retried attempt (after a worker crash) finds the step's Job for the claim by its labels (the
 * claim, made again for the run, has a uid of its own) and follows it
 * rather than start a second writer on the volume; a Job that failed for a reason a retry may fix
 * is followed by a new one, whose step recognises what the earlier one wrote.
 */
public final class VolumeJobs {

  private static final Logger log = LoggerFactory.getLogger(VolumeJobs.class);

  /** The image deploy/kubernetes/deployment.yaml runs, when the worker is not told (PGDR_VOLUME_JOB_IMAGE). */
  public static final String DEFAULT_IMAGE = "pgdr:0.1.0";
  /** Where the pod mounts the claim. */
  static final String MOUNT = "/pgdr/volume";
  static final String SPEC_ENV = "PGDR_VOLUME_JOB";
  static final String DIR_ENV = "PGDR_VOLUME_DIR";
  static final String RESULT_ENV = "PGDR_RESULT_FILE";
  static final String PG_USER_ENV = "PGDR_PG_USER";
  static final String PG_PASSWORD_ENV = "PGDR_PG_PASSWORD";
  static final String CLAIM_LABEL = "pgdr.io/claim";
  static final String STEP_LABEL = "pgdr.io/step";
  /** The label the Job controller gives the pods of a Job. */
  static final String JOB_NAME_LABEL = "job-name";
  private static final String TERMINATION_LOG = "/dev/termination-log";
  /** As long as the activity's start-to-close timeout: a Job nobody follows any more ends by itself. */
  private static final long DEADLINE_SECONDS = Duration.ofHours(12).toSeconds();
  /** A finished Job stays a day for whoever inspects it (and for a worker that crashed while it finished). */
  private static final int KEEP_FINISHED_SECONDS = (int) Duration.ofDays(1).toSeconds();

  private final KubernetesClient client;
  private final String image;
  private final Consumer<Object> heartbeat;
  private final Duration poll;

  /** @param image pgdr's image, the worker's own (the pod runs {@code pgdr volume-job}) */
  public VolumeJobs(KubernetesClient client, String image) {
    this(client, image, new ActivityHeartbeat(), Duration.ofSeconds(1));
  }

  VolumeJobs(KubernetesClient client, String image, Consumer<Object> heartbeat, Duration poll) {
    this.client = client;
    this.image = image;
    this.heartbeat = heartbeat;
    this.poll = poll;
  }

  /**
   * Runs {@code spec} in a Job, or follows the run's Job for the step if one runs or succeeded.
   *
   * @param node the node the pod must run on (the recovering database's, whose volume it shares), or null
   */
  <T> T run(VolumeJobSpec spec, String node, Class<T> resultType) {
    DataVolume volume = spec.volume();
    if (volume.namespace() == null || volume.statefulSet() == null) {
      throw ApplicationFailure.newNonRetryableFailure("claim " + volume.claim() + " has no path the worker reaches, and no namespace"
          + " and StatefulSet to start a pod in", FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    String ns = volume.namespace();
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(volume.claim()).get();
    if (claim == null) {
      throw ApplicationFailure.newNonRetryableFailure("claim " + ns + "/" + volume.claim() + " is gone: its new volume was to be restored",
          FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    Map<String, String> labels = Map.of(CLAIM_LABEL, shortHash(claim.getMetadata().getUid()), STEP_LABEL, spec.step(), "app.kubernetes.io/managed-by", "pgdr");
    List<Job> earlier = new ArrayList<>(client.batch().v1().jobs().inNamespace(ns).withLabels(labels).list().getItems());
    earlier.sort(Comparator.comparing(job -> job.getMetadata().getName()));
    for (Job job : earlier) {
      String name = job.getMetadata().getName();
      if (!finished(job)) {
        log.info("following Job {}/{} on claim {}, started by an earlier attempt", ns, name, volume.claim());
        return follow(ns, name, resultType);
      }
      VolumeJobResult result = succeeded(job) ? resultOf(ns, name) : null;
      if (result != null && result.succeeded()) {
        return result.resultAs(resultType);
      }
    }
    String name = "pgdr-" + spec.step() + "-" + labels.get(CLAIM_LABEL) + "-" + (earlier.size() + 1);
    client.batch().v1().jobs().inNamespace(ns).resource(job(spec, name, labels, node)).create();
    log.info("Job {}/{} started: {} on claim {}", ns, name, spec.step(), volume.claim());
    return follow(ns, name, resultType);
  }

  private <T> T follow(String ns, String name, Class<T> resultType) {
    long started = System.nanoTime();
    while (true) {
      Job job = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
      if (job == null) {
        throw ApplicationFailure.newFailure("Job " + ns + "/" + name + " is gone before it finished (deleted by someone?)",
            FailureTypes.RESTORE_FAILED);
      }
      if (finished(job)) {
        VolumeJobResult result = resultOf(ns, name);
        if (result == null) {
          throw ApplicationFailure.newFailure("Job " + ns + "/" + name + " " + (succeeded(job) ? "succeeded" : "failed") + " without a result"
              + " (" + condition(job) + "); see kubectl -n " + ns + " logs job/" + name, FailureTypes.RESTORE_FAILED);
        }
        if (!result.succeeded()) {
          throw result.failure(ns + "/" + name);
        }
        return result.resultAs(resultType);
      }
      long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
      heartbeat.accept(new TransferProgress(0, -1, 0, -1, 0, -1, "Job " + name + " (" + podPhase(ns, name) + ", " + seconds + " s)"));
      sleep();
    }
  }

  private Job job(VolumeJobSpec spec, String name, Map<String, String> labels, String node) {
    DataVolume volume = spec.volume();
    StatefulSet sts = client.apps().statefulSets().inNamespace(volume.namespace()).withName(volume.statefulSet()).get();
    if (sts == null) {
      throw ApplicationFailure.newNonRetryableFailure("StatefulSet " + volume.namespace() + "/" + volume.statefulSet() + " is gone",
          FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    PodSpec database = sts.getSpec().getTemplate().getSpec();
    String template = sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
    Container server = database.getContainers().stream()
        .filter(c -> c.getVolumeMounts() != null && c.getVolumeMounts().stream().anyMatch(m -> template.equals(m.getName())))
        .findFirst().orElse(database.getContainers().get(0));
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar(SPEC_ENV, spec.toJson(), null));
    env.add(new EnvVar(DIR_ENV, dataDirectory(server, template), null));
    env.add(new EnvVar(RESULT_ENV, TERMINATION_LOG, null));
    env.addAll(storeKeys(spec));
    if (spec.server() != null) {
      env.addAll(databaseCredentials(spec.server().credentials()));
    }
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(volume.namespace()).withLabels(labels)
          .addToAnnotations("pgdr.io/claim", volume.claim()).endMetadata()
        .withNewSpec()
          .withBackoffLimit(0)
          .withActiveDeadlineSeconds(DEADLINE_SECONDS)
          .withTtlSecondsAfterFinished(KEEP_FINISHED_SECONDS)
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withNodeName(node)
              .withServiceAccountName(database.getServiceAccountName())
              .withSecurityContext(runAs(database, server))
              .withNodeSelector(database.getNodeSelector())
              .withTolerations(database.getTolerations())
              .addNewContainer()
                .withName("pgdr")
                .withImage(image)
                .withArgs("volume-job")
                .withEnv(env)
                .addNewVolumeMount().withName("data").withMountPath(MOUNT).endVolumeMount()
                .withTerminationMessagePath(TERMINATION_LOG)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
              .endContainer()
              .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(volume.claim()).endPersistentVolumeClaim()
                .endVolume()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * The data directory as the pod sees it: {@code PGDATA} of the database container relative to
   * where it mounts the volume (images that keep it in a subdirectory, e.g. {@code .../data/pgdata}),
   * under the mount's {@code subPath}.
   */
  static String dataDirectory(Container server, String template) {
    VolumeMount mount = server.getVolumeMounts().stream().filter(m -> template.equals(m.getName())).findFirst().orElse(null);
    String dir = MOUNT;
    if (mount == null) {
      return dir;
    }
    if (mount.getSubPath() != null && !mount.getSubPath().isBlank()) {
      dir += "/" + mount.getSubPath();
    }
    String pgdata = server.getEnv() == null ? null : server.getEnv().stream().filter(e -> "PGDATA".equals(e.getName()))
        .map(EnvVar::getValue).findFirst().orElse(null);
    String mountPath = mount.getMountPath().replaceAll("/+$", "");
    if (pgdata == null || pgdata.replaceAll("/+$", "").equals(mountPath)) {
      return dir;
    }
    if (!pgdata.startsWith(mountPath + "/")) {
      throw ApplicationFailure.newNonRetryableFailure("container " + server.getName() + " keeps PGDATA at " + pgdata + ", not on the volume"
          + " it mounts at " + mountPath + ": restoring into that volume would not change the database's data", FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    return dir + "/" + pgdata.substring(mountPath.length() + 1).replaceAll("/+$", "");
  }

  /**
   * The database pod's user, so the files are its own: its security context, or root when it sets
   * no user (images like the official postgres one start as root and hand the directory to postgres).
   */
  private static PodSecurityContext runAs(PodSpec database, Container server) {
    PodSecurityContextBuilder context = database.getSecurityContext() == null ? new PodSecurityContextBuilder()
        : new PodSecurityContextBuilder(database.getSecurityContext());
    Long user = database.getSecurityContext() == null ? null : database.getSecurityContext().getRunAsUser();
    if (server.getSecurityContext() != null && server.getSecurityContext().getRunAsUser() != null) {
      user = server.getSecurityContext().getRunAsUser();
    }
    return context.withRunAsUser(user == null ? 0L : user).withRunAsNonRoot(user != null && user != 0 ? Boolean.TRUE : null).build();
  }

  /** The store's keys from the Secret the target names, under the names the location gives them. */
  private static List<EnvVar> storeKeys(VolumeJobSpec spec) {
    var location = spec.location();
    if (location.accessKeyEnv() == null) {
      return List.of();
    }
    if (location.keysSecret() == null) {
      throw ApplicationFailure.newNonRetryableFailure("the pod that writes the volume needs the store's keys: name the Secret in namespace "
          + spec.volume().namespace() + " that holds " + location.accessKeyEnv() + " and " + location.secretKeyEnv()
          + " as the target's backups.keysSecret", FailureTypes.CREDENTIALS_UNAVAILABLE);
    }
    return List.of(fromSecret(location.accessKeyEnv(), location.keysSecret(), location.accessKeyEnv()),
        fromSecret(location.secretKeyEnv(), location.keysSecret(), location.secretKeyEnv()));
  }

  private static List<EnvVar> databaseCredentials(SecretRef credentials) {
    if (credentials.secret() == null || credentials.secret().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("the pod that feeds the recovery reads the database's credentials from a Secret;"
          + " postgres.credentials.passwordEnv names a variable of the worker only: set postgres.credentials.secret",
          FailureTypes.CREDENTIALS_UNAVAILABLE);
    }
    return List.of(fromSecret(PG_USER_ENV, credentials.secret(), credentials.usernameKey()),
        fromSecret(PG_PASSWORD_ENV, credentials.secret(), credentials.passwordKey()));
  }

  private static EnvVar fromSecret(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef()
        .endValueFrom().build();
  }

  /** The node a pod runs on, once the scheduler placed it. */
  String nodeOf(String ns, String pod) {
    while (true) {
      Pod found = client.pods().inNamespace(ns).withName(pod).get();
      if (found != null && found.getSpec() != null && found.getSpec().getNodeName() != null && !found.getSpec().getNodeName().isBlank()) {
        return found.getSpec().getNodeName();
      }
      heartbeat.accept(new TransferProgress(0, -1, 0, -1, 0, -1, "waiting for " + pod + " to be placed on a node"));
      sleep();
    }
  }

  private static boolean succeeded(Job job) {
    return job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0;
  }

  private static boolean finished(Job job) {
    if (succeeded(job) || (job.getStatus() != null && job.getStatus().getFailed() != null && job.getStatus().getFailed() > 0)) {
      return true;
    }
    return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
        .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
  }

  private static String condition(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return "no condition";
    }
    return job.getStatus().getConditions().stream().map(c -> c.getType() + ": " + c.getReason() + " " + c.getMessage())
        .reduce((a, b) -> a + "; " + b).orElse("no condition");
  }

  private List<Pod> pods(String ns, String job) {
    return client.pods().inNamespace(ns).withLabel(JOB_NAME_LABEL, job).list().getItems();
  }

  /** The termination message of the Job's finished pod; null when there is none or it is not a result. */
  private VolumeJobResult resultOf(String ns, String job) {
    for (Pod pod : pods(ns, job)) {
      List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
      if (statuses == null) {
        continue;
      }
      for (ContainerStatus status : statuses) {
        var terminated = status.getState() == null ? null : status.getState().getTerminated();
        VolumeJobResult result = terminated == null ? null : VolumeJobResult.parse(terminated.getMessage());
        if (result != null) {
          return result;
        }
      }
    }
    return null;
  }

  private String podPhase(String ns, String job) {
    try {
      return pods(ns, job).stream().map(p -> p.getMetadata().getName() + " " + (p.getStatus() == null ? "Pending" : p.getStatus().getPhase()))
          .findFirst().orElse("no pod yet");
    } catch (KubernetesClientException e) {
      return "pod unknown: " + e.getMessage();
    }
  }

  private void sleep() {
    try {
      Thread.sleep(poll.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while following a volume Job", FailureTypes.RESTORE_FAILED);
    }
  }

  static String shortHash(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
