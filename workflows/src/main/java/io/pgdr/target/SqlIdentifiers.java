package io.pgdr.target;

import java.util.regex.Pattern;

/** The one place that decides which names may reach SQL, and how they are quoted. */
public final class SqlIdentifiers {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private SqlIdentifiers() {}

  public static boolean isPlain(String name) {
    return name != null && PLAIN.matcher(name).matches();
  }

  /** {@code table} or {@code schema.table}, each part plain. */
  public static boolean isQualifiedName(String name) {
    if (name == null) {
      return false;
    }
    String[] parts = name.split("\\.", -1);
    if (parts.length > 2) {
      return false;
    }
    for (String part : parts) {
      if (!isPlain(part)) {
        return false;
      }
    }
    return true;
  }

  /** Double-quotes each part of a validated name, so case and keywords are kept literally. */
  public static String quote(String name) {
    if (!isQualifiedName(name)) {
      throw new IllegalArgumentException("not a valid SQL name: " + name);
    }
    StringBuilder quoted = new StringBuilder();
    for (String part : name.split("\\.")) {
      if (quoted.length() > 0) {
        quoted.append('.');
      }
      quoted.append('"').append(part).append('"');
    }
    return quoted.toString();
  }
}
