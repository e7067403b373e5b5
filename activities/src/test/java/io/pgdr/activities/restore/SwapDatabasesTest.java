package io.pgdr.activities.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.SwapResult;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The restored database takes the live one's name while the live one keeps its data under another
 * name, sessions on either are ended, and a second call finds the swap done and changes nothing.
 */
@ExtendWith(RestoreLab.Shared.class)
class SwapDatabasesTest {

  @Test
  void restoredTakesTheLiveNameAndTheOldDataIsKept(RestoreLab lab) throws Exception {
    String live = lab.unique("live");
    String restored = lab.unique("restored");
    String keepAs = lab.unique("before");
    createWithMarker(lab, live, "old data");
    createWithMarker(lab, restored, "restored data");
    try (Connection application = lab.connect(live); Connection checker = lab.connect(restored)) {

      SwapResult result = lab.activities().swapDatabases(lab.server(live), live, restored, keepAs);

      assertFalse(result.alreadySwapped());
      assertEquals(live, result.live());
      assertEquals(keepAs, result.keptAs());
      assertTrue(result.terminatedSessions() >= 2, "both open sessions were ended: " + result.terminatedSessions());
      assertThrows(SQLException.class, () -> marker(application), "the application's old session is gone");
    }
    assertEquals("restored data", marker(lab, live));
    assertEquals("old data", marker(lab, keepAs));
    assertFalse(lab.databaseExists(restored));

    SwapResult again = lab.activities().swapDatabases(lab.server(live), live, restored, keepAs);

    assertTrue(again.alreadySwapped());
    assertEquals(0, again.terminatedSessions());
    assertEquals("restored data", marker(lab, live));
    assertEquals("old data", marker(lab, keepAs));
  }

  @Test
  void aTakenKeepNameIsRefusedAndNothingIsRenamed(RestoreLab lab) throws Exception {
    String live = lab.unique("live");
    String restored = lab.unique("restored");
    String keepAs = lab.unique("before");
    createWithMarker(lab, live, "old data");
    createWithMarker(lab, restored, "restored data");
    createWithMarker(lab, keepAs, "someone's database");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> lab.activities().swapDatabases(lab.server(live), live, restored, keepAs));

    assertEquals(RestoreActivitiesImpl.SWAP_REFUSED, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertEquals("old data", marker(lab, live));
    assertEquals("restored data", marker(lab, restored));
    assertEquals("someone's database", marker(lab, keepAs));
  }

  private static void createWithMarker(RestoreLab lab, String database, String text) throws SQLException {
    try (Connection postgres = lab.connect("postgres"); Statement statement = postgres.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    try (Connection session = lab.connect(database); var insert = session.prepareStatement(
        "CREATE TABLE marker (text text); INSERT INTO marker VALUES (?)")) {
      insert.setString(1, text);
      insert.execute();
    }
  }

  private static String marker(RestoreLab lab, String database) throws SQLException {
    try (Connection session = lab.connect(database)) {
      return marker(session);
    }
  }

  private static String marker(Connection session) throws SQLException {
    try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery("SELECT text FROM marker")) {
      row.next();
      return row.getString(1);
    }
  }
}
