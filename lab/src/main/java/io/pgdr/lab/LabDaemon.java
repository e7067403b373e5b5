package io.pgdr.lab;

import io.pgdr.run.RunSearchAttributes;

import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.TargetYaml;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's long-lived process, spawned detached by {@link Lab#up}: hosts the Kubernetes API
 * stand-in, the reconciler, the Service proxy, and starts Temporal and the S3 store's process
 * (with the backup bucket, where the servers archive their WAL: {@link LabWalArchive}), so several
 * {@code pgdr} processes share one lab. Temporal is the real server (the Temporal CLI's dev
 * server, its SQLite file in the lab directory) when the CLI is found, else Temporal's Java test
 * service in real time. Writes {@code lab.json} last, as the "ready" signal; on SIGTERM stops
 * everything, servers included.
 */
public final class LabDaemon {

  private static final Logger log = LoggerFactory.getLogger(LabDaemon.class);

  /** The daemon's argument for a Patroni lab ({@code pgdr lab up --patroni}). */
  static final String PATRONI = "--patroni";

  private final Path dir;
  private final boolean patroniLab;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private PostgresPair pair;
  private PatroniCluster patroni;
  private PatroniReconciler patroniReconciler;
  private KubernetesApiStandIn api;
  private LabReconciler reconciler;
  private ServiceProxy proxy;
  private CompletableFuture<S3Store> s3;
  private CompletableFuture<Temporal> temporal;

  /** The Temporal service the lab runs, as lab.json describes it. */
  private record Temporal(AutoCloseable service, String address, String server, String ui, String fallback) {}

  private LabDaemon(Path dir, boolean patroniLab) {
    this.dir = dir;
    this.patroniLab = patroniLab;
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1 || args.length > 2 || (args.length == 2 && !args[1].equals(PATRONI))) {
      System.err.println("usage: LabDaemon <lab directory> [" + PATRONI + "]");
      System.exit(2);
    }
    LabDaemon daemon = new LabDaemon(Path.of(args[0]).toAbsolutePath(), args.length == 2);
    Runtime.getRuntime().addShutdownHook(new Thread(daemon::stop, "lab-shutdown"));
    try {
      daemon.start();
    } catch (RuntimeException e) {
      log.error("lab failed to start", e);
      System.exit(1);
    }
    daemon.stopped.await();
  }

  private void start() {
    log.info("starting the lab in {}", dir);
    long started = System.nanoTime();
    LabWalArchive archive = new LabWalArchive(dir);
    archive.removeConfig();
    // S3Mock and Temporal take seconds to start: let them come up while the rest does
    s3 = CompletableFuture.supplyAsync(() -> {
      S3Store store = S3Store.start(dir.resolve(Lab.S3_DIR));
      store.createBucket(LabTarget.BACKUP_BUCKET);
      // the servers' archivers, failing until now, store the segments they kept on their next attempt
      archive.writeConfig(store.endpoint());
      log.info("S3 store ready after {} ms; WAL archived into {}/{}wal/ ({})", (System.nanoTime() - started) / 1_000_000,
          LabTarget.BACKUP_BUCKET, LabTarget.BACKUP_PREFIX, archive.config());
      return store;
    });
    temporal = CompletableFuture.supplyAsync(() -> {
      Temporal service = startTemporal();
      log.info("Temporal ready after {} ms", (System.nanoTime() - started) / 1_000_000);
      return service;
    });
    DatabaseTarget labTarget;
    Map<String, String> pods = new LinkedHashMap<>();
    api = KubernetesApiStandIn.start();
    if (patroniLab) {
      patroni = PatroniCluster.create(Lab.patroniDir(dir), log::info);
      String leader = patroni.leader().orElseThrow(() -> new LabException("the new Patroni cluster has no leader"));
      patroni.createLabDatabase(leader);
      KubernetesFixture.createForPatroni(api.client(), patroni, leader);
      patroniReconciler = PatroniReconciler.start(api.client(), patroni);
      patroni.members().values().forEach(m -> pods.put(m.name(), "127.0.0.1:" + m.postgresPort()));
      proxy = ServiceProxy.start(api.client());
      labTarget = LabTarget.ofPatroni(patroni, s3.join().endpoint(), proxy.endpoint());
    } else {
      pair = PostgresPair.open(Lab.pairDir(dir));
      for (PostgresNode node : pair.nodes()) {
        node.start();
      }
      KubernetesFixture.create(api.client(), pair);
      reconciler = LabReconciler.start(api.client(), pair);
      pair.nodes().forEach(node -> pods.put(node.name(), node.host() + ":" + node.port()));
      api.servePodLogs(pair.nodes().stream().collect(java.util.stream.Collectors.toMap(PostgresNode::name, PostgresNode::logFile)));
      proxy = ServiceProxy.start(api.client());
      labTarget = LabTarget.of(pair, s3.join().endpoint(), proxy.endpoint());
    }
    log.info("PostgreSQL servers started after {} ms", (System.nanoTime() - started) / 1_000_000);
    String s3Endpoint = s3.join().endpoint();
    Temporal service = temporal.join();

    Path kubeconfig = write("kubeconfig", api.kubeconfig());
    Path target = write("target.yaml", TargetYaml.write(labTarget));
    LabStatus status = new LabStatus(dir, target, kubeconfig, api.url(), service.address(), service.server(), service.ui(),
        service.fallback(), proxy.endpoint(), pods, ProcessHandle.current().pid(), s3Endpoint,
        patroni == null ? null : patroni.restEndpoints());
    status.write(dir.resolve(Lab.STATUS_FILE));
    log.info("lab ready: Kubernetes API {}, Temporal {} ({}; UI {}), Service {}, pods {}, S3 {}", api.url(), status.temporalAddress(),
        status.temporalServer(), status.temporalUi(), status.serviceEndpoint(), pods, s3Endpoint);
  }

  /**
   * The real server when the Temporal CLI is found and starts; else the Java test service, with
   * the line that says what is then missing. Either has pgdr's search attributes before any run.
   */
  private Temporal startTemporal() {
    Optional<Path> binary = TemporalDevServer.binary();
    String why = TemporalDevServer.whyNoBinary();
    if (binary.isPresent()) {
      Path home = dir.resolve(Lab.TEMPORAL_DIR);
      try {
        Files.createDirectories(home);
        TemporalDevServer server = TemporalDevServer.start(binary.get(), Lab.temporalDatabase(dir), home.resolve("temporal.log"));
        return new Temporal(server, server.address(), server.describe(), server.uiUrl(), null);
      } catch (IOException | LabException e) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          // on CI a real component that fails must fail the run, never pass on a stand-in
          throw new LabException("the Temporal server " + binary.get() + " did not start (" + e.getMessage() + ")", e);
        }
        log.warn("the Temporal server {} did not start; falling back to the Java test service", binary.get(), e);
        why = binary.get() + " did not start (" + e.getMessage() + ")";
      }
    }
    int port = PostgresPair.freePort();
    // true locks time skipping: workflow timers (RTO clock, approval timeouts) run in real time
    TestServer.PortBoundTestServer testServer = TestServer.createPortBoundServer(port, true);
    String address = "127.0.0.1:" + port;
    // every run carries pgdr's search attributes from its start; the service refuses unknown ones
    RunSearchAttributes.registerAt(address, TemporalDevServer.NAMESPACE);
    String fallback = "Temporal is the Java test service, without the Web UI, Schedules or list filters: " + why;
    log.warn(fallback);
    return new Temporal(testServer, address, LabStatus.JAVA_TEST_SERVICE, null, fallback);
  }

  private Path write(String name, String content) {
    Path file = dir.resolve(name);
    try {
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Stops in reverse order; the reconciler first, so it does not restart what is being stopped. */
  private void stop() {
    log.info("stopping the lab");
    try {
      Files.deleteIfExists(dir.resolve(Lab.STATUS_FILE));
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", Lab.STATUS_FILE, e.toString());
    }
    quietly("reconciler", reconciler);
    quietly("Patroni reconciler", patroniReconciler);
    quietly("Service proxy", proxy);
    if (temporal != null) {
      quietly("Temporal service", () -> temporal.join().service().close());
    }
    quietly("Kubernetes API", api);
    quietly("PostgreSQL servers", pair);
    quietly("Patroni cluster", patroni);
    if (s3 != null) {
      quietly("S3 store", () -> s3.join().close());
    }
    log.info("lab stopped");
    stopped.countDown();
  }

  private static void quietly(String what, AutoCloseable part) {
    if (part == null) {
      return;
    }
    try {
      part.close();
    } catch (Exception e) {
      log.warn("stopping the {} failed: {}", what, e.toString());
    }
  }
}
