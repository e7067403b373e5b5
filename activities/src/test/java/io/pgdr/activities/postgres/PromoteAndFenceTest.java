package io.pgdr.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.FenceResult;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.ServerState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runbook 000 B / 004 Scenario 3 on real servers: promote the standby, fence the old primary. */
@org.junit.jupiter.api.Tag("real-servers")
class PromoteAndFenceTest {

  static final String READ_ONLY_TRANSACTION = "25006";

  @TempDir Path dir;
  LabServers lab;

  @BeforeEach
  void createPair() {
    lab = LabServers.create(dir);
  }

  @AfterEach
  void stopPair() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void theStandbyIsPromotedOnceAndASecondCallFindsItPrimary() throws Exception {
    var activities = lab.activities;

    PromotionResult promoted = activities.promoteServer(lab.standby());
    PromotionResult again = activities.promoteServer(lab.standby());

    assertFalse(promoted.alreadyPrimary());
    assertNotNull(promoted.replayLsnBefore());
    assertNotNull(promoted.timelineLsn());
    assertTrue(again.alreadyPrimary());
    assertNull(again.replayLsnBefore());
    ServerState state = activities.inspectServer(lab.standby());
    assertFalse(state.inRecovery());
    try (Connection connection = lab.pair.standby().connect(lab.pair.database())) {
      LabServers.insertStory(connection, "written on the new primary");
    }
  }

  @Test
  void aFencedPrimaryCutsItsClientsAndRefusesNewWrites() throws Exception {
    try (Connection app = lab.pair.primary().connect(lab.pair.database())) {
      LabServers.insertStory(app, "before the fence");

      FenceResult fenced = lab.activities.fenceServer(lab.primary());

      assertTrue(fenced.reachable());
      assertTrue(fenced.terminatedSessions() >= 1, fenced.toString());
      assertThrows(SQLException.class, () -> LabServers.insertStory(app, "on a cut session"));
    }
    try (Connection newcomer = lab.pair.primary().connect(lab.pair.database())) {
      SQLException refused =
          assertThrows(SQLException.class, () -> LabServers.insertStory(newcomer, "after the fence"));
      assertEquals(READ_ONLY_TRANSACTION, refused.getSQLState());
      assertEquals(3 + 1, LabServers.count(newcomer, "SELECT count(*) FROM stories"), "reads still work");
    }
    assertTrue(lab.activities.inspectServer(lab.primary()).readOnly());

    FenceResult again = lab.activities.fenceServer(lab.primary());
    assertTrue(again.reachable());
    assertEquals(0, again.terminatedSessions());
  }

  @Test
  void theFenceOutlivesACrashAndRestart() throws Exception {
    lab.activities.fenceServer(lab.primary());

    // restarted as a primary: ALTER SYSTEM kept the fence in postgresql.auto.conf
    lab.pair.primary().stopImmediate();
    lab.pair.primary().start();
    assertWriteRefused();

    // restarted the way the lab brings back a fenced pod: as a standby
    lab.pair.primary().stopImmediate();
    lab.pair.primary().startFenced();
    assertWriteRefused();
    assertTrue(lab.activities.inspectServer(lab.primary()).readOnly());
  }

  @Test
  void aStoppedOldPrimaryIsReportedUnreachable() {
    lab.pair.primary().stopImmediate();

    FenceResult result = lab.activities.fenceServer(lab.primary());

    assertFalse(result.reachable());
    assertEquals(0, result.terminatedSessions());
    assertTrue(result.detail().startsWith("unreachable: "), result.detail());
  }

  private void assertWriteRefused() throws SQLException {
    try (Connection app = lab.pair.primary().connect(lab.pair.database())) {
      SQLException refused = assertThrows(SQLException.class, () -> LabServers.insertStory(app, "after restart"));
      assertEquals(READ_ONLY_TRANSACTION, refused.getSQLState());
    }
  }
}
