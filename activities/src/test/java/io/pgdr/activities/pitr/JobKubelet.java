package io.pgdr.activities.pitr;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the Job controller and the kubelet for the Kubernetes API stand-in: each new Job gets a
 * pod, whose container runs as a process of its own ({@code java ... VolumeJobAgent}, what
 * {@code pgdr volume-job} runs in pgdr's image) with the Job's environment, its Secret references
 * resolved from the stand-in's Secrets, the claim "mounted" by rewriting the mount path to the
 * directory of the PersistentVolume it is bound to, and the termination message file read back
 * into the pod's status. Then the Job's status says how it ended.
 */
final class JobKubelet implements AutoCloseable {

  private final KubernetesClient client;
  private final Map<String, Path> volumes;
  private final Path scratch;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  /** Environments the pods ran with, by Job name: what the test checks holds no secret value it was not meant to. */
  final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
  private final Thread loop;
  private volatile boolean closed;

  /** @param volumes the directory each PersistentVolume's files are in, by volume name */
  JobKubelet(KubernetesClient client, Map<String, Path> volumes, Path scratch) {
    this.client = client;
    this.volumes = volumes;
    this.scratch = scratch;
    this.loop = new Thread(this::runJobs, "job-kubelet");
    loop.setDaemon(true);
    loop.start();
  }

  private void runJobs() {
    while (!closed) {
      try {
        for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
          if (seen.add(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName())) {
            run(job);
          }
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (!closed) {
          e.printStackTrace();
        }
      }
    }
  }

  private void run(Job job) throws Exception {
    String ns = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName();
    var template = job.getSpec().getTemplate();
    Pod pod = client.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(name + "-x7k2p").withNamespace(ns).addToLabels(template.getMetadata().getLabels())
          .addToLabels(VolumeJobs.JOB_NAME_LABEL, name).endMetadata()
        .withSpec(template.getSpec())
        .withStatus(new PodStatusBuilder().withPhase("Running").build())
        .build()).create();
    var container = template.getSpec().getContainers().get(0);
    String claim = template.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName();
    String volumeName = client.persistentVolumeClaims().inNamespace(ns).withName(claim).get().getSpec().getVolumeName();
    Path volume = volumes.get(volumeName);
    Path result = scratch.resolve(name + ".termination-log");
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), var.getValue() != null ? var.getValue() : secretValue(ns, var));
    }
    environments.put(name, Map.copyOf(env));
    env.put(VolumeJobs.DIR_ENV, env.get(VolumeJobs.DIR_ENV).replace(VolumeJobs.MOUNT, volume.toString()));
    env.put(VolumeJobs.RESULT_ENV, result.toString());

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), VolumeJobAgent.class.getName()));
    ProcessBuilder process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(scratch.resolve(name + ".log").toFile());
    process.environment().keySet().retainAll(Set.of("PATH", "HOME", "LANG"));
    process.environment().putAll(env);
    int exit = process.start().waitFor();

    String message = Files.exists(result) ? Files.readString(result, StandardCharsets.UTF_8) : tail(scratch.resolve(name + ".log"));
    pod.setStatus(new PodStatusBuilder().withPhase(exit == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName())
            .withNewState().withNewTerminated().withExitCode(exit).withMessage(message).endTerminated().endState().build())
        .build());
    client.pods().inNamespace(ns).resource(pod).updateStatus();
    Job now = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    now.setStatus(exit == 0 ? new JobStatusBuilder().withSucceeded(1).build() : new JobStatusBuilder().withFailed(1).build());
    client.batch().v1().jobs().inNamespace(ns).resource(now).updateStatus();
  }

  private String secretValue(String ns, EnvVar var) {
    var ref = var.getValueFrom().getSecretKeyRef();
    var secret = client.secrets().inNamespace(ns).withName(ref.getName()).get();
    return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
  }

  /** What FallbackToLogsOnError leaves when the container wrote no message: its log's end. */
  private static String tail(Path log) throws IOException {
    String text = Files.exists(log) ? Files.readString(log) : "";
    return text.substring(Math.max(0, text.length() - 2048));
  }

  String log(String job) throws IOException {
    Path log = scratch.resolve(job + ".log");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    loop.interrupt();
    loop.join(5000);
  }
}
