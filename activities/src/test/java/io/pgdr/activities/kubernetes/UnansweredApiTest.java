package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Kubernetes API that does not answer fails the call in bounded time, naming the API server and
 * the resource, instead of hanging the step (fabric8's defaults retry for minutes).
 */
// waits on silent sockets, using no CPU: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class UnansweredApiTest {

  /** Only a guard against a hang; the bound the client is built with is seconds. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  @Test
  void aClosedPortFailsNamingTheApiServerAndTheResource() throws IOException {
    String api = "https://127.0.0.1:" + closedPort();
    KubernetesActivitiesImpl activities = new KubernetesActivitiesImpl(client(api));

    ApplicationFailure failure = assertTimeoutPreemptively(HANG_GUARD,
        () -> assertThrows(ApplicationFailure.class, () -> activities.describeCluster(FabricaCluster.target())));

    assertEquals(FailureTypes.KUBERNETES_API_UNREACHABLE, failure.getType());
    assertTrue(failure.getOriginalMessage().startsWith("describe cluster: Kubernetes API " + api + " did not answer: "),
        failure.getOriginalMessage());
    assertTrue(failure.getOriginalMessage().endsWith("(statefulsets fabrica-agentes/postgresql)"), failure.getOriginalMessage());
    assertTrue(failure.getOriginalMessage().toLowerCase().contains("refused"), failure.getOriginalMessage());
  }

  @Test
  void aServerThatAcceptsButNeverAnswersFailsNamingTheApiServer() throws IOException {
    String api = "https://127.0.0.1:" + silentPort();
    KubernetesActivitiesImpl activities = new KubernetesActivitiesImpl(client(api));

    ApplicationFailure failure = assertTimeoutPreemptively(HANG_GUARD,
        () -> assertThrows(ApplicationFailure.class, () -> activities.stopWriters(FabricaCluster.target(), "run-1")));

    assertEquals(FailureTypes.KUBERNETES_API_UNREACHABLE, failure.getType());
    assertTrue(failure.getOriginalMessage().startsWith("stop writers: Kubernetes API " + api + " did not answer: "),
        failure.getOriginalMessage());
  }

  @Test
  void credentialsFromASecretNameTheApiServerThatDidNotAnswer() throws IOException {
    String api = "https://127.0.0.1:" + closedPort();
    CredentialResolver resolver = new CredentialResolver(client(api), name -> null);

    ApplicationFailure failure = assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(ApplicationFailure.class,
        () -> resolver.resolve(SecretRef.kubernetesSecret(FabricaCluster.SECRET), FabricaCluster.NAMESPACE)));

    assertTrue(failure.getOriginalMessage().startsWith("read Secret fabrica-agentes/postgresql-credentials: Kubernetes API "
        + api + " did not answer"), failure.getOriginalMessage());
  }

  private KubernetesClient client(String api) {
    Config config = Config.empty();
    config.setMasterUrl(api);
    KubernetesClient client = KubernetesClients.bounded(config);
    opened.add(client);
    return client;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Accepts connections (the backlog does) and never reads or writes a byte. */
  private int silentPort() throws IOException {
    ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    opened.add(socket);
    return socket.getLocalPort();
  }
}
