package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.worker.EmbeddedTemporal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One recovery per database: a second start is refused with exit code 5, naming the running run. */
@org.junit.jupiter.api.Tag("real-servers")
class SecondRecoveryRefusedTest {

  @TempDir Path dir;

  @Test
  void secondFailoverOfTheSameDatabaseIsRefused() throws Exception {
    Path target = dir.resolve("target.yaml");
    Files.writeString(target, CliBadInputTest.VALID);
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      // no worker: the first run stays open, as a recovery in progress does
      CliRun first = CliRun.of("failover", "promote-replica", "--target", target.toString(), "--temporal-address", temporal.address());
      assertEquals(ExitCodes.OK, first.exitCode(), first.toString());
      assertEquals("recovery-fabrica-agentes.postgresql", first.out().strip());

      CliRun second = CliRun.of("failover", "promote-replica", "--target", target.toString(), "--temporal-address", temporal.address());
      assertEquals(ExitCodes.ALREADY_RUNNING, second.exitCode(), second.toString());
      assertTrue(second.err().contains("a recovery of fabrica-agentes/postgresql is already running: recovery-fabrica-agentes.postgresql"), second.err());
      assertTrue(second.err().contains("hint: follow it with: pgdr status recovery-fabrica-agentes.postgresql --follow"), second.err());
    }
  }
}
