package io.pgdr.lab;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.KubernetesLabels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's Service endpoint: a loopback TCP proxy that sends each new connection to the pod the
 * Service {@code postgresql} selects by pod name. The selector is read per connection, so a
 * repoint takes effect for the very next client while existing connections stay where they are,
 * as with a real Service.
 */
public final class ServiceProxy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);

  private final KubernetesClient client;
  private final ServerSocket listener;
  private final ExecutorService pipes;

  private ServiceProxy(KubernetesClient client, ServerSocket listener) {
    this.client = client;
    this.listener = listener;
    AtomicInteger count = new AtomicInteger();
    this.pipes = Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "service-proxy-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  public static ServiceProxy start(KubernetesClient client) {
    try {
      ServerSocket listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      ServiceProxy proxy = new ServiceProxy(client, listener);
      proxy.pipes.execute(proxy::acceptLoop);
      return proxy;
    } catch (IOException e) {
      throw new LabException("cannot open the Service proxy port: " + e.getMessage(), e);
    }
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
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
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
    Service service = client.services().inNamespace(KubernetesFixture.NAMESPACE)
        .withName(KubernetesFixture.SERVICE).get();
    if (service == null || service.getSpec().getSelector() == null) {
      throw new IllegalStateException("Service " + KubernetesFixture.SERVICE + " or its selector is missing");
    }
    String podName = service.getSpec().getSelector().get(KubernetesLabels.POD_NAME);
    Pod pod = podName == null ? null
        : client.pods().inNamespace(KubernetesFixture.NAMESPACE).withName(podName).get();
    if (pod == null || pod.getStatus() == null || pod.getStatus().getPodIP() == null) {
      throw new IllegalStateException("selected pod " + podName + " does not exist or has no IP");
    }
    int port = pod.getSpec().getContainers().stream()
        .map(Container::getPorts).filter(ports -> ports != null && !ports.isEmpty())
        .map(ports -> ports.get(0)).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new IllegalStateException("pod " + podName + " declares no port"));
    return new InetSocketAddress(pod.getStatus().getPodIP(), port);
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

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }
}
