package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real server is started to answer on loopback only and to call nowhere (no version check over the Internet). */
class TemporalDevServerCommandTest {

  @Test
  void theServerListensOnLoopbackAndChecksNoVersionOverTheInternet() {
    List<String> command = TemporalDevServer.command(Path.of("/opt/temporal"), Path.of("/lab/temporal/temporal.db"), 7233, 8233);

    assertEquals("127.0.0.1", command.get(command.indexOf("--ip") + 1));
    assertEquals("frontend.enableServerVersionCheck=false", command.get(command.indexOf("--dynamic-config-value") + 1));
    assertEquals("/lab/temporal/temporal.db", command.get(command.indexOf("--db-filename") + 1));
    assertTrue(!command.contains("--ui-ip"), "the UI binds to --ip, loopback");
    assertEquals("TEMPORAL_VERSION_CHECK_DISABLED", TemporalDevServer.NO_VERSION_CHECK_ENV);
  }

  @Test
  void itsSqliteFileIsWrittenAheadAndSyncedAtCheckpoints() {
    List<String> command = TemporalDevServer.command(Path.of("/opt/temporal"), Path.of("/lab/temporal/temporal.db"), 7233, 8233);

    List<String> pragmas = new java.util.ArrayList<>();
    for (int i = 0; i < command.size() - 1; i++) {
      if (command.get(i).equals("--sqlite-pragma")) {
        pragmas.add(command.get(i + 1));
      }
    }
    assertEquals(List.of("journal_mode=wal", "synchronous=normal"), pragmas);
  }
}
