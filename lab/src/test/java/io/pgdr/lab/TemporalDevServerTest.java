package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Temporal CLI's dev server as pgdr pins, finds and runs it. */
@org.junit.jupiter.api.Tag("real-servers")
class TemporalDevServerTest {

  private static final Path ROOT = Path.of(System.getProperty("pgdr.root", "..")).toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void scriptsTemporalCliBuildsThePinnedVersionWhereTheLabLooks() throws Exception {
    assertEquals(TemporalDevServer.CLI_VERSION, script("--version"), "one pin: the script reads TemporalDevServer.CLI_VERSION");
    if (System.getenv(TemporalDevServer.BINARY_ENV) == null && Files.isExecutable(TemporalDevServer.cachedBinary())) {
      assertEquals(TemporalDevServer.cachedBinary().toString(), script(), "the cache the lab looks in");
    }
  }

  @Test
  void aServerLeftRunningOnTheSameFileIsStoppedBeforeTheNextOneStarts() {
    RequiredComponent.require("the Temporal CLI " + TemporalDevServer.CLI_VERSION, TemporalDevServer.present(),
        TemporalDevServer.installHint());
    Path db = dir.resolve("temporal.db");
    TemporalDevServer orphan = TemporalDevServer.start(TemporalDevServer.binary().orElseThrow(), db, dir.resolve("first.log"));
    // its owner "dies": nothing closes it
    try (TemporalDevServer server = TemporalDevServer.start(TemporalDevServer.binary().orElseThrow(), db, dir.resolve("second.log"))) {
      assertFalse(ProcessHandle.of(orphan.pid()).map(ProcessHandle::isAlive).orElse(false), "the leftover server was stopped");
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(server.address()).build());
      try {
        assertEquals(TemporalDevServer.SERVER_VERSION,
            stubs.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance()).getServerVersion());
      } finally {
        stubs.shutdownNow();
      }
      assertEquals("Temporal CLI dev server (server " + TemporalDevServer.SERVER_VERSION + ", UI " + TemporalDevServer.UI_VERSION + ")",
          server.describe());
      assertTrue(Files.exists(Path.of(db + ".pid")));
    } finally {
      orphan.close();
    }
    assertFalse(Files.exists(Path.of(db + ".pid")), "removed when the server stops");
  }

  /** A server that exits at once (a port taken between its choice and its bind) is started again, on other ports. */
  @Test
  void aServerThatExitsBeforeAnsweringIsStartedAgainOnOtherPorts() throws Exception {
    RequiredComponent.require("the Temporal CLI " + TemporalDevServer.CLI_VERSION, TemporalDevServer.present(),
        TemporalDevServer.installHint());
    Path marker = dir.resolve("exited-once");
    Path wrapper = dir.resolve("temporal-that-exits-once");
    Files.writeString(wrapper, "#!/bin/sh\nif [ ! -e '" + marker + "' ]; then touch '" + marker + "'; echo 'listen tcp: bind: address already in use'"
        + " >&2; exit 1; fi\nexec '" + TemporalDevServer.binary().orElseThrow() + "' \"$@\"\n");
    assertTrue(wrapper.toFile().setExecutable(true));

    try (TemporalDevServer server = TemporalDevServer.start(wrapper, dir.resolve("temporal.db"), dir.resolve("server.log"))) {
      assertTrue(Files.exists(marker), "the first start exited");
      assertTrue(Files.readString(dir.resolve("server.log")).contains("address already in use"), "its log kept the first start's words");
      assertTrue(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false), "the second start runs");
    }
  }

  private static String script(String... args) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("scripts/temporal-cli").toString());
    builder.command().addAll(List.of(args));
    Process process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), out);
    return out;
  }
}
