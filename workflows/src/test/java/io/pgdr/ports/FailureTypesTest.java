package io.pgdr.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link FailureTypes} stays the only definition of failure types: in the main code of every
 * module, each {@code ApplicationFailure} is created with a type from it (or with a type its
 * caller passed in), every {@code setDoNotRetry} names types from it, and no string literal
 * repeats one of its values. Its values are distinct.
 */
class FailureTypesTest {

  /** The project's root, from the workflows module where this test runs. */
  private static final Path ROOT = Path.of("..");
  private static final Pattern NAMES_TYPE = Pattern.compile(
      "\\bApplicationFailure\\s*\\.\\s*new(?:NonRetryable)?Failure(?:WithCause)?\\s*\\(|\\.\\s*setType\\s*\\(");
  /** Temporal's retry options, and the call tables' options ({@link CallOptions#notRetrying}). */
  private static final Pattern NAMES_TYPES = Pattern.compile("\\.\\s*(?:setDoNotRetry|notRetrying)\\s*\\(");
  private static final Pattern FROM_CATALOGUE = Pattern.compile("(?:io\\.pgdr\\.ports\\.)?FailureTypes\\.([A-Z][A-Z0-9_]*)");
  /** A parameter or local variable: a type the caller chose, from the catalogue as well. */
  private static final Pattern PASSED_ON = Pattern.compile("[a-z][A-Za-z0-9]*");

  private static final Map<String, String> CATALOGUE = catalogue();

  @Test
  void everyTypeHasItsOwnValue() {
    Map<String, List<String>> byValue = new TreeMap<>();
    CATALOGUE.forEach((name, value) -> byValue.computeIfAbsent(value, v -> new ArrayList<>()).add(name));
    byValue.values().removeIf(names -> names.size() == 1);
    assertEquals(Map.of(), byValue, "values shared by more than one constant");
    assertTrue(CATALOGUE.size() > 20, "the catalogue read " + CATALOGUE);
  }

  @Test
  void failuresTakeTheirTypesFromTheCatalogue() throws IOException {
    List<String> outside = new ArrayList<>();
    int typed = 0;
    for (Path file : mainSources()) {
      Code code = Code.of(Files.readString(file));
      Matcher call = NAMES_TYPE.matcher(code.text());
      while (call.find()) {
        typed++;
        List<String> args = code.arguments(call.end());
        // newFailure(message, type, ...), setType(type)
        String type = call.group().contains("setType") ? args.get(0) : args.size() > 1 ? args.get(1) : "";
        if (!fromCatalogue(type) && !PASSED_ON.matcher(type).matches()) {
          outside.add(code.where(file, call.start()) + ": " + type);
        }
      }
      Matcher doNotRetry = NAMES_TYPES.matcher(code.text());
      while (doNotRetry.find()) {
        for (String type : code.arguments(doNotRetry.end())) {
          if (!fromCatalogue(type) && !PASSED_ON.matcher(type).matches()) {
            outside.add(code.where(file, doNotRetry.start()) + ": " + type);
          }
        }
      }
    }
    assertTrue(typed > 40, "found only " + typed + " failures under " + ROOT.toAbsolutePath().normalize());
    assertTrue(outside.isEmpty(), () -> "failure types not from FailureTypes:\n" + String.join("\n", outside));
  }

  @Test
  void noValueIsWrittenOutElsewhere() throws IOException {
    List<String> copies = new ArrayList<>();
    for (Path file : mainSources()) {
      if (file.endsWith(Path.of("io", "pgdr", "ports", "FailureTypes.java"))) {
        continue;
      }
      Code code = Code.of(Files.readString(file));
      for (Map.Entry<Integer, String> literal : code.strings().entrySet()) {
        if (CATALOGUE.containsValue(literal.getValue())) {
          copies.add(code.where(file, literal.getKey()) + ": \"" + literal.getValue() + "\"");
        }
      }
    }
    assertTrue(copies.isEmpty(), () -> "failure types written out instead of taken from FailureTypes:\n" + String.join("\n", copies));
  }

  private static boolean fromCatalogue(String expression) {
    Matcher constant = FROM_CATALOGUE.matcher(expression);
    return constant.matches() && CATALOGUE.containsKey(constant.group(1));
  }

  private static Map<String, String> catalogue() {
    Map<String, String> constants = new TreeMap<>();
    for (Field field : FailureTypes.class.getDeclaredFields()) {
      int modifiers = field.getModifiers();
      if (field.getType() == String.class && Modifier.isStatic(modifiers) && Modifier.isPublic(modifiers)) {
        try {
          constants.put(field.getName(), (String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return constants;
  }

  private static List<Path> mainSources() throws IOException {
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path main : modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(main)) {
          files.filter(file -> file.toString().endsWith(".java")).sorted().forEach(sources::add);
        }
      }
    }
    assertTrue(sources.size() > 100, "found only " + sources.size() + " sources under " + ROOT.toAbsolutePath().normalize());
    return sources;
  }

  /**
   * Java source with its comments blanked out (line breaks kept), so that what a comment says is
   * not taken for code. Literals stay: where each one ends, and the value of each string literal,
   * are kept by where they start.
   */
  private record Code(String text, Map<Integer, Integer> literalEnds, Map<Integer, String> strings) {

    static Code of(String source) {
      StringBuilder text = new StringBuilder(source);
      Map<Integer, Integer> literalEnds = new TreeMap<>();
      Map<Integer, String> strings = new TreeMap<>();
      int i = 0;
      while (i < source.length()) {
        int end;
        if (source.startsWith("//", i)) {
          end = source.indexOf('\n', i);
          end = end < 0 ? source.length() : end;
          blank(text, i, end);
        } else if (source.startsWith("/*", i)) {
          end = source.indexOf("*/", i + 2);
          end = end < 0 ? source.length() : end + 2;
          blank(text, i, end);
        } else if (source.startsWith("\"\"\"", i)) {
          end = source.indexOf("\"\"\"", i + 3);
          end = end < 0 ? source.length() : end + 3;
          literalEnds.put(i, end);
        } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
          char quote = source.charAt(i);
          StringBuilder value = new StringBuilder();
          end = i + 1;
          while (end < source.length() && source.charAt(end) != quote) {
            if (source.charAt(end) == '\\' && end + 1 < source.length()) {
              end++;
            }
            value.append(source.charAt(end++));
          }
          end = Math.min(end + 1, source.length());
          literalEnds.put(i, end);
          if (quote == '"') {
            strings.put(i, value.toString());
          }
        } else {
          end = i + 1;
        }
        i = end;
      }
      return new Code(text.toString(), literalEnds, strings);
    }

    private static void blank(StringBuilder text, int from, int to) {
      for (int i = from; i < to; i++) {
        if (text.charAt(i) != '\n') {
          text.setCharAt(i, ' ');
        }
      }
    }

    /** The top-level arguments, trimmed, of the call whose opening parenthesis ends at {@code from}. */
    List<String> arguments(int from) {
      List<String> args = new ArrayList<>();
      int depth = 0;
      int start = from;
      for (int i = from; i < text.length(); i++) {
        if (literalEnds.containsKey(i)) {
          i = literalEnds.get(i) - 1;
          continue;
        }
        char c = text.charAt(i);
        if (c == '(' || c == '[' || c == '{') {
          depth++;
        } else if (depth > 0 && (c == ')' || c == ']' || c == '}')) {
          depth--;
        } else if (depth == 0 && (c == ',' || c == ')')) {
          args.add(text.substring(start, i).strip());
          start = i + 1;
          if (c == ')') {
            return args;
          }
        }
      }
      throw new AssertionError("a call left open at offset " + from);
    }

    String where(Path file, int offset) {
      long line = 1 + text.substring(0, offset).chars().filter(c -> c == '\n').count();
      return ROOT.relativize(file) + ":" + line;
    }
  }
}
