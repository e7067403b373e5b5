package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair behaves like the runbook's servers: it replicates, survives a crash by promotion, and fences. */
@org.junit.jupiter.api.Tag("real-servers")
class PostgresPairTest {

  @TempDir Path dir;
  PostgresPair pair;

  @BeforeEach
  void createPair() {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), PostgresBinaries.INSTALL_HINT);
    pair = PostgresPair.create(dir, System.out::println);
  }

  @AfterEach
  void stopServers() {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void writesOnThePrimaryReachTheStandby() throws Exception {
    assertEquals("f", Sql.query(pair.primary(), pair.database(), "SELECT pg_is_in_recovery()"));
    assertEquals("t", Sql.query(pair.standby(), pair.database(), "SELECT pg_is_in_recovery()"));
    assertEquals("3", Sql.query(pair.standby(), pair.database(), "SELECT count(*) FROM stories"));

    Sql.execute(pair.primary(), pair.database(), "INSERT INTO stories (title) VALUES ('replicated')");

    Eventually.await("the new row on the standby", Duration.ofSeconds(10), () -> "1".equals(Sql.queryQuietly(
        pair.standby(), pair.database(), "SELECT count(*) FROM stories WHERE title = 'replicated'")));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("password"))));
  }

  @Test
  void aCrashedPrimaryIsReplacedByPromotionAndComesBackFenced() throws Exception {
    PostgresNode oldPrimary = pair.primary();
    oldPrimary.stopImmediate();
    assertFalse(oldPrimary.isRunning());
    assertFalse(oldPrimary.acceptsConnections());

    assertEquals("t", Sql.query(pair.standby(), pair.database(), "SELECT pg_promote()"));
    Sql.execute(pair.standby(), pair.database(), "INSERT INTO stories (title) VALUES ('after promotion')");

    oldPrimary.startFenced();
    assertTrue(oldPrimary.acceptsConnections());
    SQLException refused = assertThrows(SQLException.class, () ->
        Sql.execute(oldPrimary, pair.database(), "INSERT INTO stories (title) VALUES ('split brain')"));
    assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
  }

  @Test
  void aPairCreatedWithoutAStoreDoesNotArchive() throws Exception {
    for (PostgresNode node : pair.nodes()) {
      assertEquals("off", Sql.query(node, "postgres", "SHOW archive_mode"), node.name());
    }
    assertEquals("0", Sql.query(pair.primary(), "postgres", "SELECT failed_count FROM pg_stat_archiver"));
  }

  @Test
  void aPairReopensFromItsDirectory() {
    PostgresPair reopened = PostgresPair.open(dir);
    assertEquals(pair.primary().port(), reopened.primary().port());
    assertEquals(pair.standby().port(), reopened.nodes().get(1).port());
    assertEquals(pair.password(), reopened.password());
    assertTrue(reopened.standby().isRunning());
  }
}
