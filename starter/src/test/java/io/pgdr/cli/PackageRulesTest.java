package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules the scenario skeleton set, kept: the CLI parses, starts, follows and prints
 * (no SQL of its own); backup and restore share packages, never each other's classes; Temporal
 * helpers live in one package.
 */
class PackageRulesTest {

  private static final Path ROOT = Path.of(System.getProperty("basedir", "."), "..");

  @Test
  void theCliRunsNoSqlOfItsOwn() {
    assertEquals(List.of(), filesContaining(ROOT.resolve("starter/src/main/java"), "import java.sql."));
  }

  @Test
  void theRestoreUsesNoneOfTheBackupsClasses() {
    assertEquals(List.of(), filesContaining(ROOT.resolve("activities/src/main/java/io/pgdr/activities/restore"), "io.pgdr.activities.backup."));
  }

  @Test
  void theActivityHeartbeatIsDefinedOnceInTheTemporalPackage() {
    assertEquals(List.of("activities/src/main/java/io/pgdr/activities/temporal/ActivityHeartbeat.java"),
        filesContaining(ROOT.resolve("activities/src/main/java"), "class ActivityHeartbeat"));
  }

  @Test
  void eachStartCommandLivesInTheRecoveryPackage() {
    List<String> outside = filesContaining(ROOT.resolve("starter/src/main/java"), "@Mixin RecoveryStartOptions").stream()
        .filter(file -> !file.startsWith("starter/src/main/java/io/pgdr/cli/recovery/")).toList();
    assertEquals(List.of(), outside);
  }

  /** The Java files under {@code dir} whose text contains {@code text}, relative to the project's root. */
  private static List<String> filesContaining(Path dir, String text) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(file -> file.toString().endsWith(".java")).filter(file -> read(file).contains(text))
          .map(file -> ROOT.normalize().relativize(file.normalize()).toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
