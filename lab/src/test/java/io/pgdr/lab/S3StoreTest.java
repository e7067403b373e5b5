package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's S3 store: a real S3Mock process that answers on loopback, and nowhere else, until stopped. */
@org.junit.jupiter.api.Tag("real-servers")
class S3StoreTest {

  @TempDir Path dir;

  @Test
  void answersOnLoopbackOnlyAndALeftoverIsStopped() throws Exception {
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    long pid;
    try (S3Store store = S3Store.start(dir)) {
      pid = store.pid();
      assertTrue(store.endpoint().startsWith("http://127.0.0.1:"), store.endpoint());
      // started from the jar extracted in pgdr's cache, mapping the classes archived there (S3MockClassSharing)
      List<String> arguments = List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
      assertTrue(arguments.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=") && a.endsWith("/s3mock.jsa")), arguments.toString());

      store.createBucket("fabrica-agentes-backups");
      store.createBucket("fabrica-agentes-backups"); // idempotent
      assertEquals(200, status(HttpRequest.newBuilder(URI.create(store.endpoint() + "/fabrica-agentes-backups"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build()));
      assertEquals(404, status(HttpRequest.newBuilder(URI.create(store.endpoint() + "/no-such-bucket"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build()));

      // S3Mock's own connectors: the one pgdr uses and its extra plain-HTTP one; all on loopback
      List<InetSocketAddress> listening = ListeningSockets.of(pid);
      assertEquals(2, listening.size(), "S3Mock's two connectors: " + listening);
      for (InetSocketAddress socket : listening) {
        assertTrue(socket.getAddress().isLoopbackAddress(), "listens on " + socket);
        assertRefusedOffLoopback(socket.getPort());
      }

      // what 'lab down' does when the daemon that owned the store was killed
      S3Store.stopLeftover(dir);
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "S3Mock still runs");
    }
  }

  /** Connecting to this machine's own non-loopback addresses on the port must fail. */
  private static void assertRefusedOffLoopback(int port) throws IOException {
    int tried = 0;
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address.isLoopbackAddress() || (address instanceof Inet6Address v6 && v6.isLinkLocalAddress())) {
          continue;
        }
        tried++;
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(address, port), 2000);
          fail("port " + port + " answers on " + address.getHostAddress());
        } catch (IOException refused) {
          // expected: nothing listens there
        }
      }
    }
    if (tried == 0) {
      System.err.println("no non-loopback address on this machine; loopback binding checked through /proc only");
    }
  }

  private static int status(HttpRequest request) throws Exception {
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
