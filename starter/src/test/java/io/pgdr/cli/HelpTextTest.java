package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --help} reads as prose: a description wraps where the terminal width needs it, never at a
 * hard break in the middle of a sentence that leaves a stub line followed by its continuation.
 */
class HelpTextTest {

  @ParameterizedTest
  @ValueSource(strings = {"restore", "failover promote-replica", "backup list", "backup window", "backup run", "backup base", "lab", "lab drill", "worker", "completion"})
  void descriptionsBreakOnlyWhereTheWidthDoes(String command) {
    CliRun run = CliRun.of((command + " --help").split(" "));
    assertEquals(0, run.exitCode(), run.toString());
    List<String> lines = run.out().lines().toList();
    for (int i = 0; i + 1 < lines.size(); i++) {
      String line = lines.get(i).strip();
      String next = lines.get(i + 1).strip();
      // a stub: a short description line (column 0) whose sentence goes on in the next description line
      boolean sameBlock = indent(lines.get(i)) == 0 && indent(lines.get(i + 1)) == 0;
      boolean stub = sameBlock && !line.isEmpty() && line.length() < 50 && !line.endsWith(".") && !line.endsWith(":")
          && !line.startsWith("Usage") && !next.isEmpty() && Character.isLowerCase(next.charAt(0));
      assertFalse(stub, "line " + (i + 1) + " of `pgdr " + command + " --help` breaks a sentence:\n" + run.out());
    }
  }

  private static int indent(String line) {
    return line.length() - line.stripLeading().length();
  }

  @org.junit.jupiter.api.Tag("real-servers")
  @Test
  void mavenPrintsNoRawEscapesWhenPgdrBuildsItself() throws Exception {
    // Maven 3.8's console library writes ANSI resets at exit even in batch mode; .mvn/jvm.config stops it
    Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-o", "-N", "validate").directory(PgdrProcess.ROOT.toFile())
        .redirectErrorStream(true).start();
    byte[] printed = mvn.getInputStream().readAllBytes();
    assertEquals(0, mvn.waitFor(), new String(printed));
    assertFalse(new String(printed).contains("\u001b["), "raw escapes: " + new String(printed).replace("\u001b", "ESC"));
  }
}
