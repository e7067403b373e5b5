package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archive: made beside the jar after the first run after a build, mapped by
 * every later JVM (pgdr's own classes come from it, not the jar), and never a word on a command's
 * output. A launcher that stopped making it, or an archive this JDK cannot map, fails here.
 */
@org.junit.jupiter.api.Tag("real-servers")
class ClassSharingLauncherTest {

  private static final Path JAR = PgdrProcess.ROOT.resolve("starter/target/pgdr.jar");
  private static final Path ARCHIVE = PgdrProcess.ROOT.resolve("starter/target/pgdr.jar.jsa");

  @TempDir Path logs;

  @Test
  void theFirstRunArchivesTheClassesAndEveryJvmAfterMapsThemWithoutAWordOnItsOutput() throws Exception {
    CliRun version = PgdrProcess.run(logs, Map.of(), Duration.ofMinutes(3), "--version");

    assertEquals(0, version.exitCode(), version.toString());
    assertEquals("pgdr 0.1.0", version.out().strip(), "the command's output alone: " + version);
    assertEquals("", version.err().strip(), version.toString());
    // made in the background by that run, or by an earlier one since the build
    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> Files.isRegularFile(ARCHIVE) && Files.getLastModifiedTime(ARCHIVE).compareTo(Files.getLastModifiedTime(JAR)) > 0);

    // -Xshare:on: a JVM that cannot map the archive fails rather than starting without it
    Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE, "-Xlog:class+load=info", "-jar", JAR.toString(), "--version")
        .redirectErrorStream(true).start();
    String loaded = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(java.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, java.exitValue(), loaded);
    List<String> pgdrClasses = loaded.lines().filter(line -> line.contains(" io.pgdr.")).toList();
    assertTrue(!pgdrClasses.isEmpty(), loaded);
    assertTrue(pgdrClasses.stream().anyMatch(line -> line.contains("io.pgdr.cli.PgdrCommand source: shared objects file")),
        "pgdr's command classes come from the archive: " + pgdrClasses);
  }
}
