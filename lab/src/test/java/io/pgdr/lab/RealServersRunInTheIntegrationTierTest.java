package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The two test tiers stay apart. A test that starts a real server or program carries the tag
 * {@value #TAG}: surefire ({@code mvn test}) leaves it out, failsafe ({@code verify}, as
 * {@code scripts/test} and CI run it) runs it, with the end-to-end {@code *IT} classes. Read from the
 * test sources of every module: a test class starts one when its code calls what starts one, or
 * uses a helper of the test sources that does (LabServers, RestoreLab, TemporalWithWorker, ...).
 */
class RealServersRunInTheIntegrationTierTest {

  static final String TAG = "real-servers";

  /** What starts a real server or program; a helper class of the test sources that calls one starts one too. */
  private static final Map<String, Pattern> STARTS = new LinkedHashMap<>();

  static {
    STARTS.put("a PostgreSQL pair", Pattern.compile("\\bPostgresPair\\s*\\.\\s*(?:create|open)\\s*\\("));
    STARTS.put("an S3Mock process", Pattern.compile("\\bS3Store\\s*\\.\\s*start\\s*\\("));
    STARTS.put("the lab", Pattern.compile("\\bLab\\s*\\.\\s*at\\s*\\("));
    STARTS.put("Temporal's service on a port", Pattern.compile("\\bEmbeddedTemporal\\s*\\.\\s*start\\s*\\("));
    STARTS.put("the real Temporal server", Pattern.compile("\\bTemporalDevServer\\s*\\.\\s*start\\s*\\("));
    // pgdr, mvn, docker-compose, pg_dump...; a program of the running JDK (keytool) is not an outside component
    STARTS.put("a program", Pattern.compile("\\bnew\\s+ProcessBuilder\\s*\\("));
    STARTS.put("a browser", Pattern.compile("\\bnew\\s+ChromeDriver\\s*\\("));
  }

  private static final Pattern JDK_PROGRAM = Pattern.compile(
      "\\bnew\\s+ProcessBuilder\\s*\\(\\s*Path\\s*\\.\\s*of\\s*\\(\\s*System\\s*\\.\\s*getProperty\\s*\\(\\s*\"java\\.home\"");
  private static final Pattern TAGGED = Pattern.compile(
      "@(?:org\\.junit\\.jupiter\\.api\\.)?Tag\\s*\\(\\s*(?:value\\s*=\\s*)?\"" + TAG + "\"\\s*\\)");
  private static final Pattern UNIT_NAME = Pattern.compile("Test\\w*|\\w+Test|\\w+Tests|\\w+TestCase");
  private static final Pattern END_TO_END_NAME = Pattern.compile("IT\\w*|\\w+IT|\\w+ITCase");
  private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s[^;]*;");

  private static final Path ROOT = Path.of(System.getProperty("pgdr.root", "..")).toAbsolutePath().normalize();

  /** One top-level class of some module's test sources. */
  private record Source(String module, String name, String code, String codeWithStrings) {

    boolean isUnitTest() {
      return UNIT_NAME.matcher(name).matches();
    }

    boolean isEndToEnd() {
      return END_TO_END_NAME.matcher(name).matches();
    }

    boolean isHelper() {
      return !isUnitTest() && !isEndToEnd();
    }

    /** Where the class is declared, in {@link #code} and {@link #codeWithStrings} alike. */
    Matcher declaration(String text) {
      Matcher declaration = Pattern.compile("\\b(?:class|interface|record|enum)\\s+" + name + "\\b([^{]*)\\{").matcher(text);
      if (!declaration.find()) {
        throw new AssertionError(module + ": no declaration of " + name);
      }
      return declaration;
    }

    List<String> supertypes() {
      return List.of(declaration(code).group(1).split("[^\\w]+"));
    }

    boolean classTagged() {
      return TAGGED.matcher(codeWithStrings.substring(0, declaration(codeWithStrings).start())).find();
    }

    boolean someMethodTagged() {
      return TAGGED.matcher(codeWithStrings.substring(declaration(codeWithStrings).end())).find();
    }
  }

  @Test
  void everyTestThatStartsARealServerOrProgramIsInTheIntegrationTier() {
    Map<String, Source> sources = sources();
    Map<String, String> starters = starters(sources);
    List<String> unitTier = new ArrayList<>();
    for (Source source : sources.values()) {
      String why = starters.get(source.name());
      if (source.isUnitTest() && why != null && !tagged(source, sources, new HashSet<>()) && !source.someMethodTagged()) {
        unitTier.add(source.module() + ": " + source.name() + " starts " + why);
      }
    }
    assertTrue(unitTier.isEmpty(), "tests in the unit tier (mvn test) that start real servers or programs: "
        + "tag the class, or each test method that starts one, @org.junit.jupiter.api.Tag(\"" + TAG + "\")\n  "
        + String.join("\n  ", unitTier));
  }

  @Test
  void everyEndToEndTestIsTaggedOrItRunsInNeitherTier() {
    Map<String, Source> sources = sources();
    List<String> untagged = sources.values().stream()
        .filter(source -> source.isEndToEnd() && !tagged(source, sources, new HashSet<>()))
        .map(source -> source.module() + ": " + source.name()).toList();
    assertEquals(List.of(), untagged, "failsafe runs only tests tagged \"" + TAG + "\"; surefire runs no *IT");
  }

  /** A pattern that matches nothing any more (a class renamed) would let new server tests through unseen. */
  @Test
  void everyWayOfStartingAServerIsStillUsedByTheTests() {
    Map<String, Source> sources = sources();
    for (Map.Entry<String, Pattern> start : STARTS.entrySet()) {
      assertTrue(sources.values().stream().anyMatch(source -> start.getValue().matcher(withoutJdkPrograms(source)).find()),
          "no test source starts " + start.getKey() + " as " + start.getValue() + ": update this guard");
    }
    Map<String, String> starters = starters(sources);
    for (String known : List.of("PostgresPairTest", "S3StoreTest", "LabTest", "LabServers", "RestoreLab", "S3Fixture")) {
      assertTrue(starters.containsKey(known), known + " is not seen to start a real server: update this guard");
    }
    for (String pure : List.of("RequiredComponentTest", "UnansweredStoreTest", "ClientIdentityTest")) {
      assertFalse(starters.containsKey(pure), pure + " starts nothing (a constant of S3Fixture, the JDK's keytool)");
    }
  }

  /** Class name to why it starts a real server, for every test and helper class that does. */
  private static Map<String, String> starters(Map<String, Source> sources) {
    Map<String, String> starters = new TreeMap<>();
    for (Source source : sources.values()) {
      String code = withoutJdkPrograms(source);
      STARTS.forEach((what, pattern) -> {
        if (pattern.matcher(code).find()) {
          starters.putIfAbsent(source.name(), what);
        }
      });
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Source source : sources.values()) {
        if (starters.containsKey(source.name())) {
          continue;
        }
        for (Map.Entry<String, String> helper : List.copyOf(starters.entrySet())) {
          if (sources.get(helper.getKey()).isHelper() && uses(source, helper.getKey())) {
            starters.put(source.name(), helper.getValue() + " (through " + helper.getKey() + ")");
            grew = true;
            break;
          }
        }
      }
    }
    return starters;
  }

  /** Any use of the class but an import or a constant of it (S3Fixture.BUCKET starts nothing). */
  private static boolean uses(Source source, String helper) {
    String code = IMPORT.matcher(source.code()).replaceAll("");
    return Pattern.compile("\\b" + helper + "\\b(?!\\s*\\.\\s*[A-Z][A-Z0-9_]*\\b(?!\\s*\\())").matcher(code).find();
  }

  private static String withoutJdkPrograms(Source source) {
    return blankStrings(JDK_PROGRAM.matcher(source.codeWithStrings()).replaceAll(""));
  }

  /** Tagged on the class itself, or on a type of the test sources it extends or implements (JUnit inherits tags). */
  private static boolean tagged(Source source, Map<String, Source> sources, Set<String> seen) {
    if (!seen.add(source.name())) {
      return false;
    }
    if (source.classTagged()) {
      return true;
    }
    return source.supertypes().stream().map(sources::get)
        .anyMatch(supertype -> supertype != null && tagged(supertype, sources, seen));
  }

  /** Every top-level class of every module's src/test/java, by simple name. */
  private static Map<String, Source> sources() {
    Map<String, Source> sources = new TreeMap<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(dir -> Files.isDirectory(dir.resolve("src/test/java"))).sorted().toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
          for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
            String name = file.getFileName().toString().replace(".java", "");
            String withStrings = withoutComments(Files.readString(file));
            Source source = new Source(module.getFileName().toString(), name, blankStrings(withStrings), withStrings);
            Source before = sources.putIfAbsent(name, source);
            if (before != null) {
              throw new AssertionError("two test classes named " + name + ": in " + before.module() + " and " + source.module());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> modules = sources.values().stream().map(Source::module).collect(Collectors.toSet());
    assertTrue(modules.containsAll(Set.of("lab", "activities", "starter")), "test sources found under " + ROOT + ": " + modules);
    return sources;
  }

  /** Java source without its comments; string and character literals kept. */
  static String withoutComments(String java) {
    StringBuilder out = new StringBuilder(java.length());
    int i = 0;
    while (i < java.length()) {
      if (java.startsWith("//", i)) {
        i = java.indexOf('\n', i);
        i = i < 0 ? java.length() : i;
      } else if (java.startsWith("/*", i)) {
        int end = java.indexOf("*/", i + 2);
        i = end < 0 ? java.length() : end + 2;
        out.append(' ');
      } else if (java.charAt(i) == '"' || java.charAt(i) == '\'') {
        int end = literalEnd(java, i);
        out.append(java, i, end);
        i = end;
      } else {
        out.append(java.charAt(i++));
      }
    }
    return out.toString();
  }

  /** The same source with every string and character literal emptied. */
  static String blankStrings(String java) {
    StringBuilder out = new StringBuilder(java.length());
    int i = 0;
    while (i < java.length()) {
      char c = java.charAt(i);
      if (c == '"' || c == '\'') {
        String quote = java.startsWith("\"\"\"", i) ? "\"\"\"" : String.valueOf(c);
        out.append(quote).append(quote);
        i = literalEnd(java, i);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The index just past the string, text block or character literal that starts at {@code start}. */
  private static int literalEnd(String java, int start) {
    String quote = java.startsWith("\"\"\"", start) ? "\"\"\"" : String.valueOf(java.charAt(start));
    int i = start + quote.length();
    while (i < java.length()) {
      if (java.charAt(i) == '\\') {
        i += 2;
      } else if (java.startsWith(quote, i)) {
        return i + quote.length();
      } else {
        i++;
      }
    }
    return java.length();
  }
}
