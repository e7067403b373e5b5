package io.pgdr.lab;

import io.pgdr.run.RunSearchAttributes;

import io.pgdr.target.TargetYaml;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's long-lived process, spawned detached by {@link Lab#up}: hosts the Kubernetes API
 * stand-in, the reconciler, the Service proxy, a real-time Temporal service and the S3 store's
 * process (with the backup bucket), so several
 * {@code pgdr} processes share one lab. Writes {@code lab.json} last, as the "ready" signal; on
 * SIGTERM stops everything, servers included.
 */
public final class LabDaemon {

  private static final Logger log = LoggerFactory.getLogger(LabDaemon.class);

  private final Path dir;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private PostgresPair pair;
  private KubernetesApiStandIn api;
  private LabReconciler reconciler;
  private ServiceProxy proxy;
  private TestServer.PortBoundTestServer temporal;
  private CompletableFuture<S3Store> s3;

  private LabDaemon(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: LabDaemon <lab directory>");
      System.exit(2);
    }
    LabDaemon daemon = new LabDaemon(Path.of(args[0]).toAbsolutePath());
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
    // S3Mock takes seconds to start: let it come up while the rest does
    s3 = CompletableFuture.supplyAsync(() -> {
      S3Store store = S3Store.start(dir.resolve(Lab.S3_DIR));
      store.createBucket(LabTarget.BACKUP_BUCKET);
      return store;
    });
    pair = PostgresPair.open(Lab.pairDir(dir));
    for (PostgresNode node : pair.nodes()) {
      node.start();
    }
    api = KubernetesApiStandIn.start();
    KubernetesFixture.create(api.client(), pair);
    reconciler = LabReconciler.start(api.client(), pair);
    proxy = ServiceProxy.start(api.client());
    int temporalPort = PostgresPair.freePort();
    // true locks time skipping: workflow timers (RTO clock, approval timeouts) run in real time
    temporal = TestServer.createPortBoundServer(temporalPort, true);
    // every run carries pgdr's search attributes from its start; the service refuses unknown ones
    RunSearchAttributes.registerAt("127.0.0.1:" + temporalPort, "default");

    String s3Endpoint = s3.join().endpoint();

    Path kubeconfig = write("kubeconfig", api.kubeconfig());
    Path target = write("target.yaml", TargetYaml.write(LabTarget.of(pair, s3Endpoint)));
    Map<String, String> pods = new LinkedHashMap<>();
    for (PostgresNode node : pair.nodes()) {
      pods.put(node.name(), node.host() + ":" + node.port());
    }
    LabStatus status = new LabStatus(dir, target, kubeconfig, api.url(), "127.0.0.1:" + temporalPort,
        proxy.endpoint(), pods, ProcessHandle.current().pid(), s3Endpoint);
    status.write(dir.resolve(Lab.STATUS_FILE));
    log.info("lab ready: Kubernetes API {}, Temporal {}, Service {}, pods {}, S3 {}", api.url(), status.temporalAddress(),
        status.serviceEndpoint(), pods, s3Endpoint);
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
    quietly("Service proxy", proxy);
    quietly("Temporal service", temporal);
    quietly("Kubernetes API", api);
    quietly("PostgreSQL servers", pair);
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
