package io.pgdr.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP addresses one process listens on, read from Linux's {@code /proc} (what {@code ss -ltnp}
 * shows): the process's socket inodes from {@code /proc/<pid>/fd}, matched against the listening
 * rows of {@code /proc/<pid>/net/tcp} and {@code tcp6}. Lets the lab prove a server it started
 * is reachable from this machine only.
 */
final class ListeningSockets {

  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** Empty when {@code /proc} cannot tell (not Linux, or the process is gone). */
  static List<InetSocketAddress> of(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    Set<String> inodes = socketInodes(proc.resolve("fd"));
    List<InetSocketAddress> listening = new ArrayList<>();
    for (String table : new String[] {"tcp", "tcp6"}) {
      try (Stream<String> rows = Files.lines(proc.resolve("net").resolve(table))) {
        rows.skip(1).map(String::trim).map(row -> row.split("\\s+"))
            .filter(columns -> columns.length > 9 && LISTEN.equals(columns[3]) && inodes.contains(columns[9]))
            .map(columns -> address(columns[1]))
            .forEach(listening::add);
      } catch (IOException | UncheckedIOException e) {
        // no such table (IPv6 disabled) or the process exited: nothing listens there
      }
    }
    return listening;
  }

  private static Set<String> socketInodes(Path fds) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> links = Files.list(fds)) {
      for (Path link : links.toList()) {
        try {
          String target = Files.readSymbolicLink(link).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor was closed between listing and reading
        }
      }
    } catch (IOException e) {
      // the process is gone or not ours to inspect
    }
    return inodes;
  }

  /** {@code 0100007F:1F90} → 127.0.0.1:8080; the address is in 32-bit words of host (little-endian) order. */
  private static InetSocketAddress address(String hexAddressAndPort) {
    String[] parts = hexAddressAndPort.split(":");
    byte[] raw = HexFormat.of().parseHex(parts[0]);
    byte[] address = new byte[raw.length];
    for (int word = 0; word < raw.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        address[word + i] = raw[word + 3 - i];
      }
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), Integer.parseInt(parts[1], 16));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("unexpected address length in /proc: " + hexAddressAndPort, e);
    }
  }
}
