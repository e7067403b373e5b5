package io.pgdr.activities.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.SecretRef;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A restore's sessions carry their own settings: asynchronous commit and compressed full-page
 * images for loading, in-memory sorts for index builds; and a role that may not choose the WAL's
 * compression still gets its sessions, without it.
 */
@ExtendWith(RestoreLab.Shared.class)
@org.junit.jupiter.api.Tag("real-servers")
class RestoreSessionsTest {

  private static final String ROLE_PASSWORD_ENV = "PGDR_TEST_RESTORER_PASSWORD";

  @Test
  void aSuperusersSessionsCompressPageImagesAndSortInMemory(RestoreLab lab) throws Exception {
    PartSessions sessions = PartSessions.of(lab.credentials(), lab.server(RestoreLab.SHOP));

    try (Connection loading = RestoreSessions.loading(sessions, RestoreLab.SHOP);
        Connection indexing = RestoreSessions.indexing(sessions, RestoreLab.SHOP)) {
      assertFalse(loading.getAutoCommit());
      assertEquals("off", show(loading, "synchronous_commit"));
      assertEquals("lz4", show(loading, "wal_compression"));
      assertFalse(indexing.getAutoCommit());
      assertEquals("lz4", show(indexing, "wal_compression"));
      assertEquals(RestoreSessions.INDEX_BUILD_MEMORY, show(indexing, "maintenance_work_mem"));
    }
  }

  @Test
  void aRoleThatMayNotChooseTheWalCompressionStillGetsItsSessions(RestoreLab lab) throws Exception {
    String role = lab.unique("restorer");
    String password = "restorer-" + role;
    try (Connection admin = lab.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
    }
    PostgresServer shop = lab.server(RestoreLab.SHOP);
    PostgresServer asRole = new PostgresServer(shop.pod(), shop.host(), shop.port(), shop.database(), shop.namespace(),
        SecretRef.environment(role, ROLE_PASSWORD_ENV));
    PartSessions sessions = PartSessions.of(CredentialResolver.fromEnvironment(Map.of(ROLE_PASSWORD_ENV, password)::get), asRole);

    try (Connection indexing = RestoreSessions.indexing(sessions, RestoreLab.SHOP)) {
      assertEquals("off", show(indexing, "wal_compression"));
      assertEquals("off", show(indexing, "synchronous_commit"));
      assertEquals(RestoreSessions.INDEX_BUILD_MEMORY, show(indexing, "maintenance_work_mem"));
    }
  }

  private static String show(Connection session, String setting) throws SQLException {
    try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery("SHOW " + setting)) {
      row.next();
      return row.getString(1);
    }
  }
}
