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
import java.nio.file.attribute.PosixFilePermissions;
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
 * directory of the PersistentVolume it is bound to (given the pod's {@code fsGroup} as the kubelet
 * does: group-owned, setgid), as the pod's user ({@code runAsUser}, through setpriv), and the
 * termination message file read back into the pod's status, cut at 4096 bytes as the kubelet cuts
 * it. Then the Job's status says how it ended.
 */
final class JobKubelet implements AutoCloseable {

  private final KubernetesClient client;
  private final Map<String, Path> volumes;
  private final Path scratch;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  /** Environments the pods ran with, by Job name: what the test checks holds no secret value it was not meant to. */
  final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
  private final Thread loop;
  private String readableClasspath;
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
            try {
              run(job);
            } catch (Exception e) {
              // a stand-in that cannot run the pod fails the Job, as a kubelet would, instead of leaving the test waiting
              e.printStackTrace();
              Job failed = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).get();
              failed.setStatus(new JobStatusBuilder().withFailed(1).build());
              client.batch().v1().jobs().inNamespace(failed.getMetadata().getNamespace()).resource(failed).updateStatus();
            }
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
    env.put(VolumeJobTemplate.DIR_ENV, env.get(VolumeJobTemplate.DIR_ENV).replace(VolumeJobTemplate.MOUNT, volume.toString()));
    env.put(VolumeJobTemplate.RESULT_ENV, result.toString());

    var security = template.getSpec().getSecurityContext();
    long user = security == null || security.getRunAsUser() == null ? 0 : security.getRunAsUser();
    Long fsGroup = security == null ? null : security.getFsGroup();
    if (fsGroup != null) {
      Files.setAttribute(volume, "unix:gid", fsGroup.intValue());
      Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxrwx---"));
      Files.setAttribute(volume, "unix:mode", 02770);
    }
    List<String> command = new ArrayList<>();
    if (user != 0) {
      long group = security.getRunAsGroup() != null ? security.getRunAsGroup() : fsGroup != null ? fsGroup : user;
      command.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + group,
          fsGroup == null ? "--clear-groups" : "--groups=" + fsGroup));
      Files.createFile(result);
      Files.setAttribute(result, "unix:uid", (int) user);
    }
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", user == 0 ? System.getProperty("java.class.path") : readableClasspath(), VolumeJobAgent.class.getName()));
    ProcessBuilder process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(scratch.resolve(name + ".log").toFile());
    process.environment().keySet().retainAll(Set.of("PATH", "HOME", "LANG"));
    process.environment().putAll(env);
    int exit = process.start().waitFor();

    String written = Files.exists(result) ? Files.readString(result, StandardCharsets.UTF_8) : "";
    String message = !written.isEmpty() ? cut(written) : tail(scratch.resolve(name + ".log"));
    pod.setStatus(new PodStatusBuilder().withPhase(exit == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName())
            .withNewState().withNewTerminated().withExitCode(exit).withMessage(message).endTerminated().endState().build())
        .build());
    client.pods().inNamespace(ns).resource(pod).updateStatus();
    Job now = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    now.setStatus(exit == 0 ? new JobStatusBuilder().withSucceeded(1).build() : new JobStatusBuilder().withFailed(1).build());
    client.batch().v1().jobs().inNamespace(ns).resource(now).updateStatus();
  }

  /** The kubelet keeps 4096 bytes of a termination message. */
  private static String cut(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= 4096 ? message : new String(bytes, 0, 4096, StandardCharsets.UTF_8);
  }

  /**
   * This JVM's class path where another account can read it (the build's jars live under root's
   * home): hard links of the jars and copies of the class directories, made once.
   */
  private synchronized String readableClasspath() throws IOException {
    if (readableClasspath != null) {
      return readableClasspath;
    }
    Path into = Files.createDirectories(scratch.resolve("classpath"));
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String entry : classpathEntries()) {
      Path from = Path.of(entry);
      Path to = into.resolve((i++) + "-" + from.getFileName());
      if (Files.isDirectory(from)) {
        try (var tree = Files.walk(from)) {
          for (Path file : tree.toList()) {
            Path target = to.resolve(from.relativize(file).toString());
            if (Files.isDirectory(file)) {
              Files.createDirectories(target);
            } else {
              Files.copy(file, target);
            }
          }
        }
      } else if (Files.exists(from)) {
        try {
          Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(from, to);
        }
      } else {
        continue;
      }
      entries.add(to.toString());
    }
    try (var tree = Files.walk(into)) {
      for (Path file : tree.toList()) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    readableClasspath = String.join(":", entries);
    return readableClasspath;
  }

  /** The class path's entries; a manifest-only jar (as surefire and failsafe start tests) stands for those it lists. */
  private static List<String> classpathEntries() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      java.util.jar.Manifest manifest = null;
      if (entry.endsWith(".jar")) {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry)) {
          manifest = jar.getManifest();
        }
      }
      String listed = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (listed != null && !listed.isBlank()) {
        java.net.URI base = Path.of(entry).toAbsolutePath().toUri();
        for (String url : listed.trim().split("\\s+")) {
          entries.add(Path.of(base.resolve(url)).toString());
        }
      } else {
        entries.add(entry);
      }
    }
    return entries;
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
