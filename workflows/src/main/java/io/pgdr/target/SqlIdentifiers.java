package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one place that decides which names may reach SQL, and how they are quoted. A name is
 * {@code table} or {@code schema.table}; each part is plain (letters, digits, underscores, taken as
 * written, case kept) or double-quoted as SQL writes it ({@code "VendasNorte".eventos}, a quote
 * inside doubled), so users can paste the names their own queries use.
 */
public final class SqlIdentifiers {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  /** PostgreSQL's NAMEDATALEN - 1. */
  private static final int MAX_LENGTH = 63;

  private SqlIdentifiers() {}

  public static boolean isPlain(String name) {
    return name != null && PLAIN.matcher(name).matches();
  }

  /** {@code table} or {@code schema.table}, each part plain or double-quoted. */
  public static boolean isQualifiedName(String name) {
    return parts(name) != null;
  }

  /** Double-quotes each part of a validated name, so case and keywords are kept literally. */
  public static String quote(String name) {
    List<String> parts = parts(name);
    if (parts == null) {
      throw new IllegalArgumentException("not a valid SQL name: " + name);
    }
    StringBuilder quoted = new StringBuilder();
    for (String part : parts) {
      if (quoted.length() > 0) {
        quoted.append('.');
      }
      quoted.append('"').append(part.replace("\"", "\"\"")).append('"');
    }
    return quoted.toString();
  }

  /** The identifiers {@code name} is made of, unquoted; null when it is not one or two valid parts. */
  static List<String> parts(String name) {
    if (name == null || name.isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    int i = 0;
    while (true) {
      int end = name.charAt(i) == '"' ? quotedPartEnd(name, i, parts) : plainPartEnd(name, i, parts);
      if (end < 0 || parts.size() > 2) {
        return null;
      }
      if (end == name.length()) {
        return parts;
      }
      if (name.charAt(end) != '.' || end + 1 == name.length()) {
        return null;
      }
      i = end + 1;
    }
  }

  /** Reads a plain part from {@code start}; returns where it ends, or -1. */
  private static int plainPartEnd(String name, int start, List<String> parts) {
    int end = name.indexOf('.', start);
    end = end < 0 ? name.length() : end;
    String part = name.substring(start, end);
    if (!isPlain(part)) {
      return -1;
    }
    parts.add(part);
    return end;
  }

  /** Reads a double-quoted part from {@code start} (its opening quote); returns where it ends, or -1. */
  private static int quotedPartEnd(String name, int start, List<String> parts) {
    StringBuilder part = new StringBuilder();
    for (int i = start + 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"') {
        if (i + 1 < name.length() && name.charAt(i + 1) == '"') {
          part.append('"');
          i++;
          continue;
        }
        if (part.length() == 0 || part.length() > MAX_LENGTH) {
          return -1;
        }
        parts.add(part.toString());
        return i + 1;
      }
      if (Character.isISOControl(c)) {
        return -1; // a newline or NUL is no one's table name
      }
      part.append(c);
    }
    return -1; // never closed
  }
}
