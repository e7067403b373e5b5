package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.worker.EmbeddedTemporal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is refused before anything starts, with one line, a hint, and its own exit code. */
class CliBadInputTest {

  static EmbeddedTemporal temporal;

  @TempDir Path dir;

  @BeforeAll
  static void startTemporal() {
    temporal = EmbeddedTemporal.start(0);
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  private Path target(String yaml) throws IOException {
    Path file = dir.resolve("target.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  static final String VALID = String.join("\n",
      "name: fabrica-db",
      "namespace: fabrica-agentes",
      "statefulSet: postgresql",
      "service: postgresql",
      "postgres: {database: fabrica_db, credentials: {secret: postgresql-credentials}}",
      "");

  @Test
  void helpListsTheExitCodes() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains("Exit codes:"), run.out());
    assertTrue(run.out().contains("2  bad input"), run.out());
    assertTrue(run.out().contains("failover"), run.out());
  }

  @Test
  void unknownOptionIsBadInput() {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", "x.yaml", "--frobnicate");
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("--frobnicate"), run.err());
  }

  @Test
  void missingTargetFileIsBadInput() {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", dir.resolve("nope.yaml").toString(),
        "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().startsWith("pgdr: target file "), run.err());
    assertTrue(run.err().contains("hint: "), run.err());
  }

  @Test
  void databaseNameThatIsNotAnIdentifierIsBadInput() throws IOException {
    Path file = target(VALID.replace("database: fabrica_db", "database: \"fabrica; DROP DATABASE x\""));
    CliRun run = CliRun.of("failover", "promote-replica", "--target", file.toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("postgres.database"), run.err());
  }

  @Test
  void unknownFieldInTargetIsBadInput() throws IOException {
    Path file = target(VALID + "replicas: 3\n");
    CliRun run = CliRun.of("failover", "promote-replica", "--target", file.toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("unknown field 'replicas'"), run.err());
  }

  @Test
  void incidentStartThatIsNotATimeIsBadInput() throws IOException {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", target(VALID).toString(),
        "--incident-start", "yesterday", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("ISO-8601"), run.err());
  }

  @Test
  void noTemporalServiceIsUnavailable() throws IOException {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", target(VALID).toString(), "--temporal-address", "127.0.0.1:1");
    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("no Temporal service answers at 127.0.0.1:1"), run.err());
  }

  @Test
  void statusOfAnUnknownRunIsBadInput() {
    CliRun run = CliRun.of("status", "no-such-db", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("no run of a database named no-such-db"), run.err());
  }

  @Test
  void approveOfAnUnknownRunIsBadInput() {
    CliRun run = CliRun.of("approve", "recovery-no-such-db", "--reason", "x", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
  }

  @Test
  void labStatusWithoutALabIsUnavailable() {
    CliRun run = CliRun.of("lab", "status", "--lab-dir", dir.resolve("no-lab").toString());
    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("pgdr lab up"), run.err());
  }
}
