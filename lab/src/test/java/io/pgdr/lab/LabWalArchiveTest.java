package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab archives its servers' WAL into its S3 store with pgdr's own archive_command, written out
 * from the one copy in deploy/archive.
 */
class LabWalArchiveTest {

  private static final Path SHIPPED_SCRIPT = Path.of(System.getProperty("basedir", "."), "..", "deploy", "archive",
      LabWalArchive.SCRIPT).toAbsolutePath().normalize();

  @TempDir Path parent;
  @RegisterExtension final LabsTakenDown labs = new LabsTakenDown();

  @Test
  void theScriptWrittenOutIsTheShippedOneAndExecutable() throws Exception {
    LabWalArchive archive = new LabWalArchive(parent);

    archive.installScript();
    archive.installScript(); // again over the first, as every 'lab up' does

    assertArrayEquals(Files.readAllBytes(SHIPPED_SCRIPT), Files.readAllBytes(archive.script()));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive.script())));
    assertEquals("\"" + parent.resolve("pgdr-archive-wal") + "\" -c \"" + parent.resolve("archive-wal.conf") + "\" %p %f",
        archive.archiveCommand());
  }

  @Test
  void theConfigNamesTheStoreAndOnlyItsOwnerReadsIt() throws Exception {
    LabWalArchive archive = new LabWalArchive(parent);

    archive.writeConfig("http://127.0.0.1:1234");

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive.config())));
    String settings = Files.readString(archive.config());
    for (String line : new String[] {"PGDR_WAL_BUCKET=fabrica-agentes-backups", "PGDR_WAL_PREFIX=db/",
        "PGDR_S3_ENDPOINT=http://127.0.0.1:1234", "AWS_ACCESS_KEY_ID=pgdr-lab", "AWS_SECRET_ACCESS_KEY=pgdr-lab-not-a-secret"}) {
      assertTrue(settings.lines().anyMatch(line::equals), line + " in\n" + settings);
    }
    if (PostgresOsUser.runningAsRoot()) {
      assertEquals("postgres", Files.getOwner(archive.config()).getName());
    }
    archive.removeConfig();
    assertFalse(Files.exists(archive.config()));
  }

  @Test
  void aLabDirectoryTheCommandCannotQuoteIsRefused() {
    LabException refused = assertThrows(LabException.class, () -> new LabWalArchive(parent.resolve("it's")).archiveCommand());
    assertTrue(refused.getMessage().contains("PGDR_LAB_DIR"), refused.getMessage());
  }

  @Test
  void theServersGetArchivingWithTheCommandTheLabWroteOut() {
    assertEquals(String.join("\n", "archive_mode = on", "archive_command = '\"/lab/pgdr-archive-wal\" -c \"/lab/it''s.conf\" %p %f'", ""),
        ServerConfig.archiving("\"/lab/pgdr-archive-wal\" -c \"/lab/it's.conf\" %p %f"));
  }

  @org.junit.jupiter.api.Tag("real-servers")
  @Test
  void aSwitchedSegmentLandsUnderDbWalAsPostgresqlWroteItWithNoFailedAttemptOnceTheStoreIsUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), PostgresBinaries.INSTALL_HINT);
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    Lab lab = labs.add(Lab.at(parent.resolve("lab")));

    LabStatus status = lab.up(System.out::println);

    PostgresPair pair = lab.pair();
    LabWalArchive archive = new LabWalArchive(lab.dir());
    assertTrue(Files.isExecutable(archive.script()));
    assertTrue(Files.readString(archive.config()).contains("PGDR_S3_ENDPOINT=" + status.s3Endpoint()),
        "the daemon pointed the archive at its store before it said the lab was up");
    for (PostgresNode node : pair.nodes()) {
      assertEquals("on", Sql.query(node, "postgres", "SHOW archive_mode"), node.name());
      assertEquals(archive.archiveCommand(), Sql.query(node, "postgres", "SHOW archive_command"), node.name());
    }
    try (Connection primary = pair.primary().connect(pair.database()); Statement statement = primary.createStatement()) {
      // attempts made before the store was up failed, as they should; none may fail from now on
      long failedBefore = archiver(statement).failedCount();
      statement.execute("CREATE TABLE archived (note text); INSERT INTO archived VALUES ('in the archive')");
      String segment = query(statement, "SELECT pg_walfile_name(pg_switch_wal())");
      // complete once pg_switch_wal returns: the bytes the archiver reads
      byte[] written = Files.readAllBytes(pair.primary().dataDir().resolve("pg_wal").resolve(segment));
      URI stored = URI.create(status.s3Endpoint() + "/fabrica-agentes-backups/db/wal/" + segment);

      Eventually.await(segment + " in the store", Duration.ofSeconds(60), () -> get(stored).statusCode() == 200);

      assertArrayEquals(written, get(stored).body(), "the segment as PostgreSQL wrote it");
      Eventually.await("pg_stat_archiver catches up", Duration.ofSeconds(10),
          () -> segment.compareTo(archiverQuietly(pair.primary()).lastArchivedWal()) <= 0);
      Archiver archiver = archiver(statement);
      assertTrue(archiver.archivedCount() > 0, archiver.toString());
      assertEquals(failedBefore, archiver.failedCount(), "no failed attempt once the store is up: " + archiver);
      System.out.println("archiver after the switch: " + archiver);
    }
  }

  private record Archiver(long archivedCount, String lastArchivedWal, long failedCount) {}

  private static Archiver archiver(Statement statement) throws Exception {
    try (ResultSet row = statement.executeQuery("SELECT archived_count, coalesce(last_archived_wal, ''), failed_count"
        + " FROM pg_stat_archiver")) {
      row.next();
      return new Archiver(row.getLong(1), row.getString(2), row.getLong(3));
    }
  }

  private static Archiver archiverQuietly(PostgresNode node) {
    try (Connection connection = node.connect("postgres"); Statement statement = connection.createStatement()) {
      return archiver(statement);
    } catch (Exception e) {
      return new Archiver(0, "", 0);
    }
  }

  private static String query(Statement statement, String sql) throws Exception {
    try (ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }

  private static HttpResponse<byte[]> get(URI uri) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new AssertionError("GET " + uri + ": " + e, e);
    }
  }
}
