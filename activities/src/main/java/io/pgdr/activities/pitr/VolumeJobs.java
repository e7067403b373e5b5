package io.pgdr.activities.pitr;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.TransferProgress;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a PITR step in a Kubernetes Job when the worker cannot reach the volume's files (any volume
 * but a hostPath or local one on the worker's node): the Job's pod ({@link VolumeJobTemplate})
 * mounts the claim and runs the same code the worker would ({@code pgdr volume-job},
 * {@link VolumeJobAgent}). The activity follows the Job and reads the step's result from the pod's
 * termination message.
 *
 * <p>Never two writers on one volume: a retried attempt (after a worker crash) finds the step's Job
 * for the claim by its labels (the claim, made again for the run, has a uid of its own) and follows
 * it; a Job that failed for a reason a retry may fix is followed by a new one only once its pod has
 * ended, and the new one recognises what the earlier one wrote. A pod that cannot start (its image,
 * a Secret, the scheduler, an admission refusal) fails the step with the reason instead of waiting
 * out the Job's deadline, and its Job is deleted, as it is when the run is cancelled.
 */
public final class VolumeJobs {

  private static final Logger log = LoggerFactory.getLogger(VolumeJobs.class);

  /** The image deploy/kubernetes/deployment.yaml runs, when the worker is not told (PGDR_VOLUME_JOB_IMAGE). */
  public static final String DEFAULT_IMAGE = "pgdr:0.1.0";
  static final String CLAIM_LABEL = "pgdr.io/claim";
  static final String STEP_LABEL = "pgdr.io/step";
  /** The label the Job controller gives the pods of a Job. */
  static final String JOB_NAME_LABEL = "job-name";
  /** Waiting reasons of a container that will not start by waiting: its image or its configuration is wrong. */
  private static final Set<String> CANNOT_START = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "CreateContainerConfigError", "CreateContainerError");
  /** How long a Job may be without a pod (an admission refusal or a quota shows only in its events) or a pod unscheduled. */
  static final Duration START_PATIENCE = Duration.ofMinutes(10);
  /** How long the API server may fail to answer before the attempt gives up (its retry follows the same Job). */
  private static final Duration API_PATIENCE = Duration.ofMinutes(2);

  private final KubernetesClient client;
  private final String image;
  private final Consumer<Object> heartbeat;
  private final Duration poll;
  private final Duration startPatience;

  /** @param image pgdr's image, the worker's own (the pod runs {@code pgdr volume-job}) */
  public VolumeJobs(KubernetesClient client, String image) {
    this(client, image, new ActivityHeartbeat(), Duration.ofSeconds(1), START_PATIENCE);
  }

  VolumeJobs(KubernetesClient client, String image, Consumer<Object> heartbeat, Duration poll, Duration startPatience) {
    this.client = client;
    this.image = image;
    this.heartbeat = heartbeat;
    this.poll = poll;
    this.startPatience = startPatience;
  }

  /**
   * Runs {@code spec} in a Job, or follows the claim's Job for the step if one runs or succeeded.
   *
   * @param node the node the pod must run on (the recovering database's, whose volume it shares), or null
   */
  <T> T run(VolumeJobSpec spec, String node, Class<T> resultType) {
    DataVolume volume = spec.volume();
    if (volume.namespace() == null || volume.statefulSet() == null) {
      throw unusable("claim " + volume.claim() + " has no path the worker reaches, and no namespace and StatefulSet to start a pod in");
    }
    String ns = volume.namespace();
    Map<String, String> labels = labels(volume, spec.step());
    while (true) {
      List<Job> earlier = jobs(ns, labels);
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
      for (Job job : earlier) {
        awaitPodsEnded(ns, job.getMetadata().getName());
      }
      String name = "pgdr-" + spec.step() + "-" + labels.get(CLAIM_LABEL) + "-" + (earlier.isEmpty() ? 1 : suffix(earlier.get(earlier.size() - 1)) + 1);
      StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName(volume.statefulSet()).get();
      if (sts == null) {
        throw unusable("StatefulSet " + ns + "/" + volume.statefulSet() + " is gone");
      }
      try {
        client.batch().v1().jobs().inNamespace(ns).resource(VolumeJobTemplate.build(sts, spec, name, labels, node, image)).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        log.info("Job {}/{} was made meanwhile (another attempt of the step); following it", ns, name);
        continue;
      }
      log.info("Job {}/{} started: {} on claim {}", ns, name, spec.step(), volume.claim());
      return follow(ns, name, resultType);
    }
  }

  /** Whether an earlier attempt left a Job of this step for the volume's claim: its pod may still write there. */
  boolean anyFor(DataVolume volume, String step) {
    return volume.namespace() != null && volume.statefulSet() != null && !jobs(volume.namespace(), labels(volume, step)).isEmpty();
  }

  private Map<String, String> labels(DataVolume volume, String step) {
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(volume.namespace()).withName(volume.claim()).get();
    if (claim == null) {
      throw unusable("claim " + volume.namespace() + "/" + volume.claim() + " is gone: its new volume was to be restored");
    }
    return Map.of(CLAIM_LABEL, shortHash(claim.getMetadata().getUid()), STEP_LABEL, step, "app.kubernetes.io/managed-by", "pgdr");
  }

  /** The step's Jobs for the claim, in the order they were made. */
  private List<Job> jobs(String ns, Map<String, String> labels) {
    return client.batch().v1().jobs().inNamespace(ns).withLabels(labels).list().getItems().stream()
        .sorted(Comparator.comparingInt(VolumeJobs::suffix)).toList();
  }

  private static int suffix(Job job) {
    String name = job.getMetadata().getName();
    try {
      return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private <T> T follow(String ns, String name, Class<T> resultType) {
    long started = System.nanoTime();
    long unanswered = 0;
    while (true) {
      Job job;
      List<Pod> pods;
      try {
        job = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        pods = job == null ? List.of() : pods(ns, name);
        unanswered = 0;
      } catch (KubernetesClientException e) {
        // the API server restarting is no reason to lose track of a restore that runs on
        if (unanswered == 0) {
          unanswered = System.nanoTime();
        } else if (System.nanoTime() - unanswered > API_PATIENCE.toNanos()) {
          throw ApplicationFailure.newFailure("following Job " + ns + "/" + name + ": the API server did not answer for "
              + API_PATIENCE.toMinutes() + " min: " + e.getMessage(), FailureTypes.KUBERNETES_API_UNREACHABLE);
        }
        pause("Job " + name + ": the API server does not answer (" + e.getMessage() + ")");
        continue;
      }
      if (job == null) {
        throw ApplicationFailure.newFailure("Job " + ns + "/" + name + " is gone before it finished (deleted by someone?)",
            FailureTypes.RESTORE_FAILED);
      }
      if (finished(job)) {
        VolumeJobResult result = resultOf(pods);
        if (result == null) {
          throw ApplicationFailure.newFailure("Job " + ns + "/" + name + " " + (succeeded(job) ? "succeeded" : "failed") + " without a result"
              + " (" + condition(job) + "); see kubectl -n " + ns + " logs job/" + name, FailureTypes.RESTORE_FAILED);
        }
        if (!result.succeeded()) {
          throw result.failure(ns + "/" + name);
        }
        return result.resultAs(resultType);
      }
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      String stuck = cannotStart(pods, waited);
      if (stuck != null) {
        delete(ns, name);
        throw ApplicationFailure.newNonRetryableFailure("Job " + ns + "/" + name + " cannot run its pod: " + stuck + "; the Job is deleted,"
            + " nothing was written by it", FailureTypes.DATA_VOLUME_UNUSABLE);
      }
      try {
        pause("Job " + name + ": " + describe(pods) + ", " + waited.toSeconds() + " s");
      } catch (ActivityCanceledException e) {
        delete(ns, name);
        throw e;
      }
    }
  }

  /** Why the Job's pod will not run by waiting longer; null while it runs or may still start. */
  private String cannotStart(List<Pod> pods, Duration waited) {
    if (pods.isEmpty()) {
      return waited.compareTo(startPatience) > 0 ? "no pod was made in " + startPatience.toMinutes() + " min (refused by an admission"
          + " policy or a quota? see kubectl describe job)" : null;
    }
    for (Pod pod : pods) {
      if (pod.getStatus() == null) {
        continue;
      }
      for (ContainerStatus status : pod.getStatus().getContainerStatuses() == null ? List.<ContainerStatus>of()
          : pod.getStatus().getContainerStatuses()) {
        var waiting = status.getState() == null ? null : status.getState().getWaiting();
        if (waiting != null && CANNOT_START.contains(waiting.getReason())) {
          return waiting.getReason() + ": " + waiting.getMessage();
        }
      }
      boolean unschedulable = pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
          .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()));
      if (unschedulable && waited.compareTo(startPatience) > 0) {
        return "unschedulable for " + startPatience.toMinutes() + " min: " + pod.getStatus().getConditions().stream()
            .filter(c -> "PodScheduled".equals(c.getType())).map(c -> c.getMessage()).findFirst().orElse("");
      }
    }
    return null;
  }

  /** Until every pod of a finished Job has ended: a pod being killed (deadline, eviction) may still be writing. */
  private void awaitPodsEnded(String ns, String job) {
    while (true) {
      List<Pod> running = pods(ns, job).stream().filter(p -> p.getStatus() == null
          || !("Succeeded".equals(p.getStatus().getPhase()) || "Failed".equals(p.getStatus().getPhase()))).toList();
      if (running.isEmpty()) {
        return;
      }
      pause("Job " + job + ": waiting for " + running.get(0).getMetadata().getName() + " to end before a new Job writes the volume");
    }
  }

  private void delete(String ns, String name) {
    try {
      client.batch().v1().jobs().inNamespace(ns).withName(name).withPropagationPolicy(
          io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
      log.info("Job {}/{} deleted", ns, name);
    } catch (KubernetesClientException e) {
      log.warn("Job {}/{} could not be deleted: {}", ns, name, e.getMessage());
    }
  }

  /** The node a pod runs on, once the scheduler placed it. */
  String nodeOf(String ns, String pod) {
    while (true) {
      Pod found = client.pods().inNamespace(ns).withName(pod).get();
      if (found != null && found.getSpec() != null && found.getSpec().getNodeName() != null && !found.getSpec().getNodeName().isBlank()) {
        return found.getSpec().getNodeName();
      }
      pause("waiting for " + pod + " to be placed on a node");
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

  private VolumeJobResult resultOf(String ns, String job) {
    return resultOf(pods(ns, job));
  }

  /** The termination message of the Job's finished pod; null when there is none or it is not a result. */
  private static VolumeJobResult resultOf(List<Pod> pods) {
    for (Pod pod : pods) {
      List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
      for (ContainerStatus status : statuses == null ? List.<ContainerStatus>of() : statuses) {
        var terminated = status.getState() == null ? null : status.getState().getTerminated();
        VolumeJobResult result = terminated == null ? null : VolumeJobResult.parse(terminated.getMessage());
        if (result != null) {
          return result;
        }
      }
    }
    return null;
  }

  private static String describe(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName() + " " + (p.getStatus() == null ? "Pending" : p.getStatus().getPhase()))
        .findFirst().orElse("no pod yet");
  }

  /** Heartbeats what is awaited (the UI and the CLI show it), then waits one poll. */
  private void pause(String seen) {
    heartbeat.accept(new TransferProgress(0, -1, 0, -1, 0, -1, seen));
    try {
      Thread.sleep(poll.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while " + seen, FailureTypes.INTERRUPTED);
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

  private static ApplicationFailure unusable(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.DATA_VOLUME_UNUSABLE);
  }
}
