package io.pgdr.activities.rejoin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A libpq connection string in keyword/value form ({@code host=10.0.0.7 port=5432 user='repl' password='it''s'}),
 * as a standby's {@code primary_conninfo} holds it: parsed as libpq parses it (a value quoted in single
 * quotes, {@code \'} and {@code \\} escaped inside and out), changed key by key, and written back with
 * every value quoted. It may hold a password: {@link #toString()} and every message leave values out.
 */
final class Conninfo {

  private final Map<String, String> values;

  private Conninfo(Map<String, String> values) {
    this.values = values;
  }

  static Conninfo empty() {
    return new Conninfo(new LinkedHashMap<>());
  }

  /**
   * @throws IllegalArgumentException for a URI ({@code postgresql://...}) or a malformed string; the
   *     message names the position, never the text, which may hold a password
   */
  static Conninfo parse(String text) {
    String s = text.strip();
    if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
      throw new IllegalArgumentException("a connection URI, not keyword=value pairs");
    }
    Map<String, String> values = new LinkedHashMap<>();
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return new Conninfo(values);
      }
      int keyStart = i;
      while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String key = s.substring(keyStart, i);
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n || s.charAt(i) != '=' || key.isEmpty()) {
        throw new IllegalArgumentException("missing \"=\" after a keyword at position " + keyStart);
      }
      i++;
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && s.charAt(i) == '\'') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("unterminated quoted value of keyword \"" + key + "\"");
          }
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(s.charAt(i++));
          } else if (c == '\'') {
            break;
          } else {
            value.append(c);
          }
        }
      } else {
        while (i < n && !Character.isWhitespace(s.charAt(i))) {
          char c = s.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(s.charAt(i++));
          } else {
            value.append(c);
          }
        }
      }
      values.put(key, value.toString());
    }
  }

  String get(String key) {
    return values.get(key);
  }

  /** The value set (in its place when it was there, else at the end); null removes the key. */
  Conninfo with(String key, String value) {
    Map<String, String> changed = new LinkedHashMap<>(values);
    if (value == null) {
      changed.remove(key);
    } else {
      changed.put(key, value);
    }
    return new Conninfo(changed);
  }

  /**
   * The same settings pointed at {@code host:port} and naming the standby as {@code application}: a
   * {@code hostaddr} would win over the host, so it goes; user, password, sslmode and the rest stay.
   */
  Conninfo pointedAt(String host, int port, String application) {
    return with("hostaddr", null).with("host", host).with("port", Integer.toString(port)).with("application_name", application);
  }

  /** The connection string, every value quoted. */
  String text() {
    return values.entrySet().stream().map(e -> e.getKey() + "=" + quote(e.getValue())).collect(Collectors.joining(" "));
  }

  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The keywords only: the values may hold a password. */
  @Override
  public String toString() {
    return "Conninfo" + values.keySet();
  }
}
