package io.pgdr.lab;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lab's Kubernetes API: fabric8's mock server in CRUD mode (objects are stored, listed,
 * patched, watched; no controllers run, which is what {@link LabReconciler} is for), on loopback
 * over plain HTTP so any kubeconfig-driven client can use it.
 */
public final class KubernetesApiStandIn implements AutoCloseable {

  // held statically: java.util.logging forgets levels set on loggers nobody references
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    // the mock logs every request at INFO; the reconciler alone makes ten a second
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private PodLogs logs;

  private KubernetesApiStandIn(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  public static KubernetesApiStandIn start() {
    PodLogs logs = new PodLogs();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), logs, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesApiStandIn standIn = new KubernetesApiStandIn(server);
    standIn.logs = logs;
    return standIn;
  }

  /** From now on the pods' logs ({@code kubectl logs}) are the ends of these files, by pod name. */
  public void servePodLogs(Map<String, Path> logFiles) {
    logs.files = Map.copyOf(logFiles);
  }

  /**
   * The CRUD dispatcher, plus what a kubelet adds: {@code GET .../pods/NAME/log}, from the real
   * server's log file ({@code tailLines} honoured); 404 for a pod without one. And what an API
   * server's authorizer answers: the lab has no RBAC, so every SelfSubjectAccessReview is allowed.
   */
  private static final class PodLogs extends KubernetesCrudDispatcher {
    private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/[^/]+/pods/([^/?]+)/log(?:\\?(.*))?");
    private static final Pattern TAIL = Pattern.compile("(?:^|&)tailLines=(\\d+)");
    private volatile Map<String, Path> files = Map.of();

    @Override
    public MockResponse handleCreate(io.fabric8.mockwebserver.http.RecordedRequest request) {
      if (!request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")) {
        return super.handleCreate(request);
      }
      String review = request.getBody().readUtf8();
      String allowed = review.replaceFirst("\\}\\s*$", ",\"status\":{\"allowed\":true,\"reason\":\"the pgdr lab has no RBAC\"}}");
      return new MockResponse().setResponseCode(201).setBody(allowed);
    }

    @Override
    public MockResponse handleGet(String path) {
      Matcher log = LOG.matcher(path);
      if (!log.matches()) {
        return super.handleGet(path);
      }
      Path file = files.get(log.group(1));
      if (file == null || !Files.exists(file)) {
        return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"no log\",\"code\":404}");
      }
      try {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Matcher tail = TAIL.matcher(log.group(2) == null ? "" : log.group(2));
        int keep = tail.find() ? Integer.parseInt(tail.group(1)) : lines.size();
        return new MockResponse().setResponseCode(200)
            .setBody(String.join("\n", lines.subList(Math.max(0, lines.size() - keep), lines.size())) + "\n");
      } catch (IOException | UncheckedIOException e) {
        return new MockResponse().setResponseCode(500).setBody(e.toString());
      }
    }
  }

  /** e.g. {@code http://127.0.0.1:41234} */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** An in-process client of this server. */
  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig that points kubectl or any fabric8 client at this server, in the lab namespace. */
  public String kubeconfig() {
    return String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: pgdr-lab",
        "  cluster:",
        "    server: " + url(),
        "users:",
        "- name: pgdr-lab",
        "  user:",
        // the mock accepts any credentials; a token keeps clients from prompting for one
        "    token: pgdr-lab",
        "contexts:",
        "- name: pgdr-lab",
        "  context:",
        "    cluster: pgdr-lab",
        "    user: pgdr-lab",
        "    namespace: " + KubernetesFixture.NAMESPACE,
        "current-context: pgdr-lab",
        "");
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
