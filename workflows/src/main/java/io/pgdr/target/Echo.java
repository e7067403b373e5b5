package io.pgdr.target;

/**
 * A value the user gave, as an error message shows it: quoted, on one line, and cut short, so a
 * 10 KB value or one with a newline cannot swamp or split the one-line error that names it.
 */
public final class Echo {

  /** Enough to recognise a value; the rest is left out with "…". */
  static final int MAX_CHARS = 80;

  private Echo() {}

  /** {@code 'value'}, control characters written as escapes, at most {@value #MAX_CHARS} characters of it. */
  public static String quoted(Object value) {
    if (value == null) {
      return "null";
    }
    String text = value.toString();
    StringBuilder shown = new StringBuilder("'");
    int end = text.length() > MAX_CHARS ? text.offsetByCodePoints(0, Math.min(MAX_CHARS, text.codePointCount(0, text.length()))) : text.length();
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> shown.append("\\n");
        case '\r' -> shown.append("\\r");
        case '\t' -> shown.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            shown.append(String.format("\\u%04x", (int) c));
          } else {
            shown.append(c);
          }
        }
      }
    }
    if (end < text.length()) {
      shown.append('…');
    }
    return shown.append('\'').toString();
  }
}
