package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lab's readiness probe against a server that answers as PostgreSQL does at each stage; the
 * real servers' readiness is in PostgresPairTest (stopped: not ready; started: ready).
 */
class ReadinessProbeTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  @Test
  void anAuthenticationRequestIsReady() throws Exception {
    assertTrue(probeAgainst(message('R', new byte[] {0, 0, 0, 10, 'S', 'C', 'R', 'A', 'M', 0, 0})));
  }

  @Test
  void cannotConnectNowIsNotReadyAndAnyOtherErrorIsTheServerAnswering() throws Exception {
    assertFalse(probeAgainst(error("57P03", "the database system is starting up")));
    // pg_isready's reading: a refusal of this user or too many clients comes from a server that is up
    assertTrue(probeAgainst(error("28000", "no pg_hba.conf entry")));
    assertTrue(probeAgainst(error("53300", "sorry, too many clients already")));
  }

  @Test
  void noAnswerAndAClosedPortAreNotReady() throws Exception {
    assertFalse(probeAgainst(new byte[0]));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertFalse(ReadinessProbe.accepts("127.0.0.1", closed, "postgres", SECOND));
  }

  /** Probes a one-connection server that reads the startup message, checks it, answers {@code reply} and closes. */
  private static boolean probeAgainst(byte[] reply) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> startup = CompletableFuture.supplyAsync(() -> {
        try (Socket client = server.accept()) {
          DataInputStream in = new DataInputStream(client.getInputStream());
          byte[] body = new byte[in.readInt() - 4];
          in.readFully(body);
          client.getOutputStream().write(reply);
          client.getOutputStream().flush();
          // the probe reads the whole answer and closes: an end of stream here, not a reset
          assertEquals(-1, in.read(), "the probe closed the connection cleanly");
          return body;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      boolean ready = ReadinessProbe.accepts("127.0.0.1", server.getLocalPort(), "postgres", SECOND);
      byte[] body = startup.get(5, TimeUnit.SECONDS);
      assertEquals(196608, java.nio.ByteBuffer.wrap(body, 0, 4).getInt(), "protocol 3.0");
      assertArrayEquals("user\0postgres\0database\0postgres\0\0".getBytes(StandardCharsets.UTF_8),
          java.util.Arrays.copyOfRange(body, 4, body.length));
      return ready;
    }
  }

  private static byte[] error(String sqlState, String text) throws Exception {
    ByteArrayOutputStream fields = new ByteArrayOutputStream();
    fields.write(("SFATAL\0C" + sqlState + "\0M" + text + "\0\0").getBytes(StandardCharsets.UTF_8));
    return message('E', fields.toByteArray());
  }

  private static byte[] message(char type, byte[] body) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(type);
    out.writeInt(body.length + 4);
    out.write(body);
    return bytes.toByteArray();
  }
}
