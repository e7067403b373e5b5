package io.pgdr.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The worker goes sticky only where the server reroutes a lost worker's tasks (the real server: StickyOnTheRealServerTest). */
class StickyQueueTest {

  @Test
  void theJavaTestServiceNeverReroutesSoTheWorkerTakesEveryTaskFromTheSharedQueue() {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      assertEquals(StickyQueue.NONE, StickyQueue.timeoutFor(env.getWorkflowServiceStubs()));
    }
  }

  @Test
  void aServerThatDoesNotAnswerGetsNoStickyQueue() throws IOException {
    // a closed loopback port: nothing answers there
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    WorkflowServiceStubs nowhere = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:" + port).setRpcTimeout(Duration.ofSeconds(2)).build());
    try {
      assertEquals(StickyQueue.NONE, StickyQueue.timeoutFor(nowhere));
    } finally {
      nowhere.shutdownNow();
    }
  }
}
