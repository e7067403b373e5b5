package io.pgdr.worker;

import io.pgdr.run.RunSearchAttributes;
import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Temporal's Java test service, in this process, bound to a loopback port so other pgdr processes
 * (the CLI, a second worker) can reach it. Real time, no time skipping. pgdr's search attributes
 * are registered at start, as a real stack's set-up job does. It has no Schedules and no advanced
 * visibility (no list queries); history lives in memory and dies with the process.
 */
public final class EmbeddedTemporal implements AutoCloseable {

  private final TestServer.PortBoundTestServer server;
  private final int port;

  private EmbeddedTemporal(TestServer.PortBoundTestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** @param port the port to bind, or 0 for a free one */
  public static EmbeddedTemporal start(int port) {
    int bound = port == 0 ? freePort() : port;
    // lockTimeSkipping=true: timers fire in real time, as in a real Temporal service
    EmbeddedTemporal temporal = new EmbeddedTemporal(TestServer.createPortBoundServer(bound, true), bound);
    // the test service keeps one set of search attributes for every namespace
    RunSearchAttributes.registerAt(temporal.address(), TemporalConnection.DEFAULT_NAMESPACE);
    return temporal;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.close();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }
}
