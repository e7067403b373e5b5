package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pgdr.ports.KubernetesLabels;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local lab as the CLI sees it: bring it up (a PostgreSQL pair and a detached {@link LabDaemon}),
 * ask whether it is up, break it on purpose, tear it down. Every method works from the directory
 * alone, so each {@code pgdr} invocation can be a new process.
 */
public final class Lab {

  static final String STATUS_FILE = "lab.json";
  static final String DAEMON_LOG = "daemon.log";
  /** The S3 store's buckets, log and pid file. */
  static final String S3_DIR = "s3";
  /** The Temporal dev server's SQLite file (the lab's run history), log and pid file. */
  static final String TEMPORAL_DIR = "temporal";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;
  private final Map<String, String> daemonEnvironment;

  private Lab(Path dir, Map<String, String> daemonEnvironment) {
    this.dir = dir.toAbsolutePath();
    this.daemonEnvironment = Map.copyOf(daemonEnvironment);
  }

  /** {@code $PGDR_LAB_DIR}, else {@code <java.io.tmpdir>/pgdr-lab-<user>}: never a system cluster's directory. */
  public static Path defaultDir() {
    String fromEnv = System.getenv("PGDR_LAB_DIR");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "pgdr-lab-" + System.getProperty("user.name"));
  }

  public static Lab at(Path dir) {
    return new Lab(dir, Map.of());
  }

  /** The same lab, its daemon started with these variables besides this process's (PGDR_TEMPORAL_CLI, for tests). */
  Lab withDaemonEnvironment(Map<String, String> variables) {
    return new Lab(dir, variables);
  }

  public Path dir() {
    return dir;
  }

  static Path pairDir(Path labDir) {
    return labDir.resolve("postgres");
  }

  /** A Patroni lab's cluster: etcd and each member's Patroni, configuration and data. */
  static Path patroniDir(Path labDir) {
    return labDir.resolve("patroni");
  }

  static Path temporalDatabase(Path labDir) {
    return labDir.resolve(TEMPORAL_DIR).resolve("temporal.db");
  }

  /** Brings the lab up, or returns the running lab's status; waits until the daemon reports ready. */
  public LabStatus up(Consumer<String> progress) {
    return up(progress, false);
  }

  /**
   * Brings the lab up, its PostgreSQL pair managed by Patroni and etcd when {@code patroni} (the
   * cluster is made afresh each time: its members' ports and etcd's state do not outlive the daemon),
   * or returns the running lab's status.
   */
  public LabStatus up(Consumer<String> progress, boolean patroni) {
    Optional<LabStatus> running = status();
    if (running.isPresent()) {
      if ((running.get().patroni() != null) != patroni) {
        throw LabException.withHint("a " + (patroni ? "plain" : "Patroni") + " lab is up in " + dir,
            "take it down first (pgdr lab down), or use it as it is");
      }
      progress.accept("lab already up in " + dir);
      return running.get();
    }
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve(STATUS_FILE));
      Path pairDir = pairDir(dir);
      if (patroni ? Files.exists(pairDir) : Files.exists(patroniDir(dir))) {
        throw LabException.withHint(dir + " holds a " + (patroni ? "plain" : "Patroni") + " lab's data",
            "delete it first (pgdr lab down), or bring it up as it was" + (patroni ? " (pgdr lab up)" : " (pgdr lab up --patroni)"));
      }
      LabWalArchive archive = new LabWalArchive(dir);
      archive.installScript();
      if (patroni) {
        PatroniCluster.stopLeftover(patroniDir(dir));
        deleteTree(patroniDir(dir));
      } else if (!Files.exists(pairDir.resolve(PostgresPair.LAYOUT_FILE))) {
        // the remains of a creation that failed half-way: its servers were stopped then
        deleteTree(pairDir);
        PostgresPair.createArchiving(pairDir, archive.archiveCommand(), progress);
      }
    } catch (IOException e) {
      throw new LabException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    progress.accept("starting the lab daemon (log: " + dir.resolve(DAEMON_LOG) + ")");
    Process daemon = spawnDaemon(patroni);
    LabStatus status = awaitReady(daemon);
    progress.accept("lab up: Kubernetes API " + status.kubernetesApiUrl() + ", Temporal " + status.temporalAddress()
        + ", Service " + status.serviceEndpoint() + ", S3 " + status.s3Endpoint());
    progress.accept(status.temporalFallback() != null ? status.temporalFallback()
        : status.temporalServer() + ", Web UI " + status.temporalUi());
    return status;
  }

  /** The running lab, or empty when it was never started, was taken down, or its daemon died. */
  public Optional<LabStatus> status() {
    Path file = dir.resolve(STATUS_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    LabStatus status = LabStatus.read(file);
    boolean alive = ProcessHandle.of(status.daemonPid()).map(ProcessHandle::isAlive).orElse(false);
    return alive ? Optional.of(status) : Optional.empty();
  }

  /** Stops the daemon and every server, then deletes the lab directory. */
  public void down(Consumer<String> progress) {
    if (stop(progress)) {
      progress.accept("deleting " + dir);
      try {
        deleteTree(dir);
      } catch (IOException e) {
        throw new LabException("cannot delete " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Stops the daemon and every server but keeps the directory: the next {@link #up} starts them on
   * the same data (the databases, the backups, the Temporal server's history).
   *
   * @return false when there was no lab in the directory
   */
  public boolean stop(Consumer<String> progress) {
    if (!Files.exists(dir)) {
      progress.accept("no lab in " + dir);
      return false;
    }
    if (!looksLikeALab()) {
      throw new LabException(dir + " is not a pgdr lab directory; refusing to touch it");
    }
    Path file = dir.resolve(STATUS_FILE);
    if (Files.exists(file)) {
      ProcessHandle.of(LabStatus.read(file).daemonPid()).filter(ProcessHandle::isAlive).ifPresent(daemon -> {
        progress.accept("stopping the lab daemon (pid " + daemon.pid() + ")");
        daemon.destroy();
        try {
          daemon.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          progress.accept("the daemon did not stop within 60 s; killing it");
          daemon.destroyForcibly();
        }
      });
    }
    // the daemon stops the servers; this covers a daemon that died or never started
    if (Files.exists(pairDir(dir).resolve(PostgresPair.LAYOUT_FILE))) {
      pair().close();
    }
    if (Files.exists(patroniDir(dir))) {
      PatroniCluster.stopLeftover(patroniDir(dir));
    }
    S3Store.stopLeftover(dir.resolve(S3_DIR));
    TemporalDevServer.stopLeftover(temporalDatabase(dir));
    return true;
  }

  public PostgresPair pair() {
    return PostgresPair.open(pairDir(dir));
  }

  /** A client of the lab's Kubernetes API, configured from its kubeconfig; the caller closes it. */
  public KubernetesClient kubernetesClient() {
    LabStatus status = status().orElseThrow(() -> new LabException("the lab is not up; run 'pgdr lab up'"));
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(status.kubeconfig()))).build();
    } catch (IOException e) {
      throw new LabException("cannot read " + status.kubeconfig() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The disaster: crashes (immediate stop) the server behind the pod the Service selects now; in a
   * Patroni lab, the leader's Patroni and server.
   *
   * @return that pod's name
   */
  public String killPrimary() {
    LabStatus running = status().orElseThrow(() -> new LabException("the lab is not up; run 'pgdr lab up'"));
    if (running.patroni() != null) {
      // the Service follows Patroni's leader by label: crash that member, Patroni and server, as a lost machine
      String leader = PatroniCluster.leaderAt(running.patroni())
          .orElseThrow(() -> new LabException("no Patroni member leads; nothing to kill"));
      PatroniCluster.crash(patroniDir(dir), leader);
      return leader;
    }
    String pod = servicePod().orElseThrow(() ->
        new LabException("Service " + KubernetesFixture.SERVICE + " selects no pod by name; nothing to kill"));
    PostgresNode node = pair().nodes().stream().filter(n -> n.name().equals(pod)).findFirst()
        .orElseThrow(() -> new LabException("Service selects " + pod + ", which is not a lab server"));
    node.stopImmediate();
    return pod;
  }

  /** The pod the lab's Service selects now, by name: the primary, while nothing has failed over. */
  public Optional<String> servicePod() {
    try (KubernetesClient client = kubernetesClient()) {
      Service service = client.services().inNamespace(KubernetesFixture.NAMESPACE)
          .withName(KubernetesFixture.SERVICE).get();
      return service == null || service.getSpec().getSelector() == null ? Optional.empty()
          : Optional.ofNullable(service.getSpec().getSelector().get(KubernetesLabels.POD_NAME));
    }
  }

  private boolean looksLikeALab() {
    return Files.exists(dir.resolve(STATUS_FILE)) || Files.exists(dir.resolve(DAEMON_LOG))
        || Files.exists(pairDir(dir)) || Files.exists(patroniDir(dir));
  }

  private Process spawnDaemon(boolean patroni) {
    List<String> command = new ArrayList<>();
    // a session of its own: Ctrl-C on the terminal that ran 'lab up' must not take the lab down
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid");
    }
    command.add(OwnProcesses.java());
    // the client compiler alone: the daemon starts in about half the CPU, and what it serves (the API
    // stand-in, the reconcilers) never gets hot enough for the server compiler to pay off
    command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // the class-data archive this JVM maps (the launcher's, made for this jar): the daemon's start too
    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(option -> option.startsWith("-XX:SharedArchiveFile=") || option.startsWith("-Xlog:cds"))
        .forEach(command::add);
    command.addAll(List.of("-Dlogback.configurationFile=io/pgdr/lab/daemon-logback.xml",
        "-cp", System.getProperty("java.class.path"),
        LabDaemon.class.getName(), dir.toString()));
    if (patroni) {
      command.add(LabDaemon.PATRONI);
    }
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(DAEMON_LOG).toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(daemonEnvironment);
      return builder.start();
    } catch (IOException e) {
      throw new LabException("cannot start the lab daemon: " + e.getMessage(), e);
    }
  }

  private LabStatus awaitReady(Process daemon) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<LabStatus> status = status();
      if (status.isPresent()) {
        return status.get();
      }
      // setsid may fork and exit 0; only a failed exit means the daemon itself is gone
      if (!daemon.isAlive() && daemon.exitValue() != 0) {
        throw new LabException("the lab daemon exited (" + daemon.exitValue() + ") before it was ready:\n" + logTail());
      }
      PostgresPair.sleep(200);
    }
    daemon.destroy();
    throw new LabException("the lab daemon was not ready within " + READY_TIMEOUT.toSeconds() + " s:\n" + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(DAEMON_LOG));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no " + dir.resolve(DAEMON_LOG) + ")";
    }
  }

  /** Deletes a directory and all under it; nothing to do when it is not there. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
