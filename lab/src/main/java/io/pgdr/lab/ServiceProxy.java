package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.pgdr.ports.KubernetesLabels;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's Service endpoint: a loopback TCP proxy that sends each new connection to the pod the
 * Service {@code postgresql} selects: by pod name, or (the Patroni lab) the ready pod with its labels. The selector is looked up per connection, so a
 * repoint takes effect for the very next client while existing connections stay where they are,
 * as with a real Service.
 *
 * <p>The lookup reads informer caches of the Service and the pods (a list, then a watch, as
 * kube-proxy does), so a connection costs the API server nothing: a client retrying every few
 * milliseconds during a failover would otherwise add two GETs per try to the API server that pgdr
 * is writing to. A repoint reaches the cache as a watch event, a few milliseconds after the API
 * server accepted it. While a watch is down (the informer relists), or the cache does not hold the
 * object, the lookup asks the API server instead.
 */
public final class ServiceProxy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);

  private final KubernetesClient client;
  private final ServerSocket listener;
  private final ExecutorService pipes;
  private final SharedIndexInformer<Service> services;
  private final SharedIndexInformer<Pod> pods;

  private ServiceProxy(KubernetesClient client, ServerSocket listener) {
    this.client = client;
    this.listener = listener;
    // inform() returns once the first list is in the cache, so the first connection already hits it
    this.services = client.services().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(KubernetesFixture.SERVICE).inform();
    this.pods = client.pods().inNamespace(KubernetesFixture.NAMESPACE).inform();
    AtomicInteger count = new AtomicInteger();
    this.pipes = Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "service-proxy-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  public static ServiceProxy start(KubernetesClient client) {
    ServerSocket listener;
    try {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new LabException("cannot open the Service proxy port: " + e.getMessage(), e);
    }
    ServiceProxy proxy;
    try {
      proxy = new ServiceProxy(client, listener);
    } catch (RuntimeException e) {
      closeQuietly(listener);
      throw new LabException("cannot watch the Service and its pods: " + e.getMessage(), e);
    }
    proxy.pipes.execute(proxy::acceptLoop);
    return proxy;
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}: where clients connect to reach "the Service". */
  public String endpoint() {
    return "127.0.0.1:" + port();
  }

  @Override
  public void close() {
    closeQuietly(listener);
    services.stop();
    pods.stop();
    pipes.shutdownNow();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        pipes.execute(() -> connect(client));
      } catch (IOException e) {
        if (!listener.isClosed()) {
          log.warn("Service proxy accept failed: {}", e.toString());
        }
      }
    }
  }

  private void connect(Socket downstream) {
    InetSocketAddress target;
    try {
      target = selectedPodAddress();
    } catch (RuntimeException e) {
      log.warn("Service {} has no reachable pod: {}", KubernetesFixture.SERVICE, e.getMessage());
      closeQuietly(downstream);
      return;
    }
    Socket upstream = new Socket();
    try {
      upstream.connect(target, 2000);
    } catch (IOException e) {
      closeQuietly(upstream);
      closeQuietly(downstream);
      return;
    }
    pipes.execute(() -> pipe(downstream, upstream));
    pipe(upstream, downstream);
  }

  /** The pod IP and container port of the pod the Service selector names. */
  InetSocketAddress selectedPodAddress() {
    Service service = cached(services, KubernetesFixture.SERVICE);
    if (service == null) {
      service = client.services().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SERVICE).get();
    }
    if (service == null || service.getSpec().getSelector() == null) {
      throw new IllegalStateException("Service " + KubernetesFixture.SERVICE + " or its selector is missing");
    }
    Map<String, String> selector = service.getSpec().getSelector();
    String podName = selector.get(KubernetesLabels.POD_NAME);
    Pod pod = podName == null ? readyPodSelectedBy(selector) : cached(pods, podName);
    if (pod == null && podName != null) {
      pod = client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(podName).get();
    }
    if (pod == null || pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
      throw new IllegalStateException("selected pod " + (podName == null ? "(by " + selector + ")" : podName) + " does not exist or has no IP");
    }
    int port = pod.getSpec().getContainers().stream()
        .map(Container::getPorts).filter(ports -> ports != null && !ports.isEmpty())
        .map(ports -> ports.get(0)).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new IllegalStateException("pod " + podName + " declares no port"));
    return new InetSocketAddress(pod.getStatus().getPodIP(), port);
  }

  /**
   * A Service that selects by labels (a Patroni lab's {@code role=master}) sends clients to a ready
   * pod carrying all of them, as its Endpoints would; the first by name when several do.
   */
  private Pod readyPodSelectedBy(Map<String, String> selector) {
    List<Pod> candidates = pods.isWatching() ? pods.getStore().list()
        : client.pods().inNamespace(KubernetesFixture.NAMESPACE).withLabels(selector).list().getItems();
    return candidates.stream()
        .filter(p -> p.getMetadata().getLabels() != null && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .filter(LabReconciler::isReady)
        .min(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
        .orElse(null);
  }

  /** The cached object, or null when the cache cannot be trusted (watch down) or does not hold it. */
  private static <T extends HasMetadata> T cached(SharedIndexInformer<T> informer, String name) {
    if (!informer.isWatching()) {
      return null;
    }
    return informer.getStore().getByKey(Cache.namespaceKeyFunc(KubernetesFixture.NAMESPACE, name));
  }

  /** Copies one direction; when either side ends, both sockets close (the PostgreSQL protocol never half-closes). */
  private static void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: closing both ends below is all there is to do
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
