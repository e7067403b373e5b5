package io.pgdr.activities.rejoin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lines of a PostgreSQL configuration file ({@code postgresql.auto.conf}): a setting's value as the
 * server reads it (the last line wins), the file without some settings, and a setting written as
 * {@code ALTER SYSTEM} writes it.
 */
final class ConfigLines {

  private static final Pattern SETTING = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_.$]*)\\s*=?\\s*(.*)$");

  private ConfigLines() {}

  /** The value the server would use for {@code name} from this file, unquoted; empty when the file does not set it. */
  static Optional<String> value(String text, String name) {
    String found = null;
    for (String line : text.split("\n", -1)) {
      Matcher setting = SETTING.matcher(line);
      if (setting.matches() && setting.group(1).equalsIgnoreCase(name)) {
        found = unquote(setting.group(2));
      }
    }
    return Optional.ofNullable(found);
  }

  /** The file without the lines that set a name {@code drop} accepts (given in lower case); comments and the rest stay. */
  static String without(String text, Predicate<String> drop) {
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      Matcher setting = SETTING.matcher(line);
      if (!(setting.matches() && drop.test(setting.group(1).toLowerCase(Locale.ROOT)))) {
        kept.add(line);
      }
    }
    return String.join("\n", kept);
  }

  /** A setting line, the value quoted as ALTER SYSTEM quotes it (a quote and a backslash doubled). */
  static String setting(String name, String value) {
    return name + " = '" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /** A value as the configuration file parser reads it: a quoted string with '' and backslash escapes, or one bare word. */
  static String unquote(String raw) {
    String s = raw.strip();
    if (!s.startsWith("'")) {
      int end = 0;
      while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '#') {
        end++;
      }
      return s.substring(0, end);
    }
    StringBuilder value = new StringBuilder();
    int i = 1;
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '\'') {
        if (i < s.length() && s.charAt(i) == '\'') {
          value.append('\'');
          i++;
          continue;
        }
        break;
      }
      if (c == '\\' && i < s.length()) {
        char escaped = s.charAt(i++);
        switch (escaped) {
          case 'b' -> value.append('\b');
          case 'f' -> value.append('\f');
          case 'n' -> value.append('\n');
          case 'r' -> value.append('\r');
          case 't' -> value.append('\t');
          default -> value.append(escaped);
        }
        continue;
      }
      value.append(c);
    }
    return value.toString();
  }
}
