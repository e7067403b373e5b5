package io.pgdr.lab;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What {@code pg_isready}, a PostgreSQL pod's usual readiness probe, sees: the server answers a
 * startup message with a request to authenticate (or with any error but "cannot connect now",
 * which a server starting, shutting down or not yet consistent sends). No login and no session:
 * the lab's controller asks each server several times a second, and a full login each time (a
 * SCRAM exchange on a thread the JDBC driver starts for its login timeout) cost a quarter of a
 * core per idle lab.
 */
final class ReadinessProbe {

  /** Protocol 3.0, as libpq's startup message gives it. */
  private static final int PROTOCOL_3_0 = 196608;
  private static final String CANNOT_CONNECT_NOW = "57P03";

  private ReadinessProbe() {}

  static boolean accepts(String host, int port, String user, Duration timeout) {
    int millis = (int) timeout.toMillis();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      byte[] parameters = ("user\0" + user + "\0database\0postgres\0\0").getBytes(StandardCharsets.UTF_8);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(8 + parameters.length);
      out.writeInt(PROTOCOL_3_0);
      out.write(parameters);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int type = in.read();
      if (type != 'R' && type != 'E') {
        return false;
      }
      // the whole message read before closing: unread bytes make the close a reset, which the
      // server, waiting for a password, logs ("could not receive data from client"); an end of
      // stream there it takes silently, as from pg_isready
      byte[] body = new byte[in.readInt() - 4];
      in.readFully(body);
      return type == 'R' || !CANNOT_CONNECT_NOW.equals(sqlState(body));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The SQLSTATE (field {@code C}) of an ErrorResponse's fields: type byte, text, NUL; a NUL ends them. */
  private static String sqlState(byte[] fields) {
    int i = 0;
    while (i < fields.length && fields[i] != 0) {
      byte type = fields[i++];
      int end = i;
      while (end < fields.length && fields[end] != 0) {
        end++;
      }
      if (type == 'C') {
        return new String(fields, i, end - i, StandardCharsets.UTF_8);
      }
      i = end + 1;
    }
    return null;
  }
}
