package io.pgdr.activities.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.FailureTypes;
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
@org.junit.jupiter.api.Tag("real-servers")
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
  void theRestoredDatabaseGetsTheOwnerGrantsAndSettingsOfTheOneItReplaces(RestoreLab lab) throws Exception {
    String live = lab.unique("live");
    String restored = lab.unique("restored");
    String keepAs = lab.unique("before");
    String owner = lab.unique("owner");
    String reader = lab.unique("Reader");
    createWithMarker(lab, live, "old data");
    createWithMarker(lab, restored, "restored data");
    try (Connection postgres = lab.connect("postgres"); Statement statement = postgres.createStatement()) {
      statement.execute("CREATE ROLE " + owner);
      statement.execute("CREATE ROLE \"" + reader + "\" LOGIN");
      statement.execute("ALTER DATABASE " + live + " OWNER TO " + owner);
      statement.execute("ALTER DATABASE " + live + " CONNECTION LIMIT 50");
      statement.execute("REVOKE ALL ON DATABASE " + live + " FROM PUBLIC");
      statement.execute("GRANT CONNECT ON DATABASE " + live + " TO \"" + reader + "\" WITH GRANT OPTION");
      statement.execute("ALTER DATABASE " + live + " SET search_path = app, \"$user\", \"My Schema\", public");
      statement.execute("ALTER DATABASE " + live + " SET statement_timeout = '30s'");
      statement.execute("ALTER ROLE \"" + reader + "\" IN DATABASE " + live + " SET work_mem = '8MB'");
    }
    String before = properties(lab, live);

    lab.activities().swapDatabases(lab.server(live), live, restored, keepAs);

    assertEquals(before, properties(lab, live), "the restored database, now live, has what the old one had");
    assertEquals(before, properties(lab, keepAs), "the kept one keeps its own");
    assertTrue(before.contains("search_path=app, \"$user\", \"My Schema\", public"), before);
    try (Connection postgres = lab.connect("postgres"); Statement statement = postgres.createStatement();
         ResultSet row = statement.executeQuery("SELECT has_database_privilege('" + reader + "', '" + live + "', 'CONNECT'),"
             + " has_database_privilege('public', '" + live + "', 'CONNECT')")) {
      row.next();
      assertTrue(row.getBoolean(1), "the reader may connect");
      assertFalse(row.getBoolean(2), "PUBLIC still may not");
    }
  }

  @Test
  void listSettingsAreSplitAsTheServerStoresThem() {
    assertEquals(java.util.List.of("app", "$user", "My Schema", "a\"b", "public"),
        DatabaseProperties.listElements("app, \"$user\", \"My Schema\", \"a\"\"b\", public"));
    assertEquals(java.util.List.of(""), DatabaseProperties.listElements("\"\""));
  }

  /** Owner, connection limit, grants (grantor aside) and settings by role, as one comparable text. */
  private static String properties(RestoreLab lab, String database) throws SQLException {
    try (Connection postgres = lab.connect("postgres"); var query = postgres.prepareStatement("""
        SELECT pg_get_userbyid(d.datdba) || ' limit ' || d.datconnlimit
          || ' grants ' || coalesce((SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END
                 || ':' || a.privilege_type || ':' || a.is_grantable, ',' ORDER BY 1) FROM aclexplode(d.datacl) a), 'default')
          || ' settings ' || coalesce((SELECT string_agg(coalesce(r.rolname, '*') || ':' || array_to_string(s.setconfig, ';'), ','
                 ORDER BY 1) FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = d.oid), '')
        FROM pg_database d WHERE d.datname = ?""")) {
      query.setString(1, database);
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    }
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

    assertEquals(FailureTypes.SWAP_REFUSED, failure.getType());
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
