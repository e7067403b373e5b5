package io.pgdr.activities.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.lab.PostgresPair;
import io.pgdr.target.BackupLocation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * deploy/archive/pgdr-archive-wal, the archive_command pgdr ships, against the lab's S3Mock on
 * loopback: a segment lands under {@code <prefix>wal/}; a retry of the same content succeeds
 * (whoever stored it); other content under the same name, and a store that does not answer, fail,
 * so PostgreSQL keeps the segment and retries; a real server's archiver, failing while the store
 * does not answer, stores the segment once it does.
 */
@Tag("real-servers")
class ArchiveWalScriptTest {

  private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "..", "deploy", "archive", "pgdr-archive-wal")
      .toAbsolutePath().normalize();
  private static final String SEGMENT = "000000010000000000000003";

  static S3Fixture s3;
  @TempDir static Path dir;

  @BeforeAll
  static void startStore() {
    s3 = S3Fixture.start(dir.resolve("s3"));
  }

  @AfterAll
  static void stopStore() {
    s3.close();
  }

  @Test
  void aSegmentLandsUnderWalWithItsSha256() throws Exception {
    BackupLocation location = s3.freshLocation();
    Path segment = segment("a", 1);

    Result result = archive(location, s3.store().endpoint(), segment, SEGMENT);

    assertEquals(0, result.exitCode(), result.output());
    String key = location.prefix() + "wal/" + SEGMENT;
    assertArrayEquals(Files.readAllBytes(segment), stored(key));
    assertEquals(sha256(segment), s3.client().headObject(b -> b.bucket(S3Fixture.BUCKET).key(key)).metadata().get("sha256"));
  }

  @Test
  void aRetryOfTheSameSegmentSucceedsAndOtherContentUnderItsNameFails() throws Exception {
    BackupLocation location = s3.freshLocation();
    Path segment = segment("b", 2);
    assertEquals(0, archive(location, s3.store().endpoint(), segment, SEGMENT).exitCode());

    Result retry = archive(location, s3.store().endpoint(), segment, SEGMENT);
    Result other = archive(location, s3.store().endpoint(), segment("c", 3), SEGMENT);

    assertEquals(0, retry.exitCode(), retry.output());
    assertNotEquals(0, other.exitCode(), other.output());
    assertTrue(other.output().contains("exists with other content"), other.output());
    assertArrayEquals(Files.readAllBytes(segment), stored(location.prefix() + "wal/" + SEGMENT), "the first stays");
  }

  @Test
  void aSegmentAnotherToolStoredIsComparedByItsEtag() throws Exception {
    BackupLocation location = s3.freshLocation();
    Path segment = segment("d", 4);
    s3.put(location.prefix() + "wal/" + SEGMENT, Files.readAllBytes(segment));
    s3.put(location.prefix() + "wal/000000010000000000000004", Files.readAllBytes(segment("e", 5)));

    Result same = archive(location, s3.store().endpoint(), segment, SEGMENT);
    Result other = archive(location, s3.store().endpoint(), segment, "000000010000000000000004");

    assertEquals(0, same.exitCode(), same.output());
    assertNotEquals(0, other.exitCode(), other.output());
  }

  @Test
  void aStoreThatDoesNotAnswerFails() throws Exception {
    Result result = archive(s3.freshLocation(), "http://127.0.0.1:" + closedPort(), segment("f", 6), SEGMENT);

    assertNotEquals(0, result.exitCode(), result.output());
    assertTrue(result.output().contains("pgdr-archive-wal:"), result.output());
  }

  @Test
  void aTimelineHistoryFileLandsToo() throws Exception {
    BackupLocation location = s3.freshLocation();
    Path history = dir.resolve("00000002.history");
    Files.writeString(history, "1\t0/3000000\tno recovery target specified\n");

    Result result = archive(location, s3.store().endpoint(), history, "00000002.history");

    assertEquals(0, result.exitCode(), result.output());
    assertArrayEquals(Files.readAllBytes(history), stored(location.prefix() + "wal/00000002.history"));
  }

  @Test
  void aServerArchivesThroughItAndASegmentItFailedToStoreLandsOnTheRetry() throws Exception {
    BackupLocation location = s3.freshLocation();
    Path config = dir.resolve("archive-wal.conf");
    try (PostgresPair pair = PostgresPair.create(dir.resolve("pair"), progress -> { })) {
      writeConfig(config, location, "http://127.0.0.1:" + closedPort());
      try (Connection primary = pair.primary().connect("postgres"); Statement statement = primary.createStatement()) {
        statement.execute("ALTER SYSTEM SET archive_mode = on");
        statement.execute("ALTER SYSTEM SET archive_command = '" + SCRIPT + " -c " + config + " %p %f'");
      }
      pair.primary().stopFast();
      pair.primary().start();
      String first;
      try (Connection primary = pair.primary().connect("postgres"); Statement statement = primary.createStatement()) {
        first = switchWal(statement);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (failedCount(statement) == 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertTrue(failedCount(statement) > 0, "the store does not answer: the archive command failed");
        assertFalse(exists(location.prefix() + "wal/" + first));

        writeConfig(config, location, s3.store().endpoint());
        String second = switchWal(statement); // wakes the archiver, which takes the oldest segment first

        for (String segment : List.of(first, second)) {
          while (!exists(location.prefix() + "wal/" + segment) && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(60)) {
            Thread.sleep(100);
          }
          assertTrue(exists(location.prefix() + "wal/" + segment), segment + " archived");
        }
        assertArrayEquals(Files.readAllBytes(pair.primary().dataDir().resolve("pg_wal").resolve(second)),
            stored(location.prefix() + "wal/" + second), "the segment as PostgreSQL wrote it");
      }
    }
  }

  private static String switchWal(Statement statement) throws SQLException {
    statement.execute("CREATE TABLE IF NOT EXISTS archived (n int); INSERT INTO archived VALUES (1)");
    try (ResultSet row = statement.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn()), pg_switch_wal()")) {
      row.next();
      return row.getString(1);
    }
  }

  private static long failedCount(Statement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery("SELECT failed_count FROM pg_stat_archiver")) {
      row.next();
      return row.getLong(1);
    }
  }

  /** The script's settings, read by the postgres user on each call: changing the file changes the next attempt. */
  private static void writeConfig(Path config, BackupLocation location, String endpoint) throws IOException {
    Files.writeString(config, "PGDR_WAL_BUCKET=" + location.bucket() + "\nPGDR_WAL_PREFIX=" + location.prefix()
        + "\nPGDR_S3_ENDPOINT=" + endpoint + "\nAWS_ACCESS_KEY_ID=lab\nAWS_SECRET_ACCESS_KEY=lab-secret\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    Files.setOwner(config, config.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
  }

  private static boolean exists(String key) {
    try {
      s3.client().headObject(b -> b.bucket(S3Fixture.BUCKET).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result archive(BackupLocation location, String endpoint, Path file, String name) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(List.of(SCRIPT.toString(), file.toString(), name)).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("PGDR_WAL_BUCKET", location.bucket());
    env.put("PGDR_WAL_PREFIX", location.prefix());
    env.put("PGDR_S3_ENDPOINT", endpoint);
    env.put("AWS_ACCESS_KEY_ID", "lab");
    env.put("AWS_SECRET_ACCESS_KEY", "lab-secret");
    env.remove("AWS_SESSION_TOKEN");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the script did not end: " + output);
    assertFalse(output.contains("lab-secret"), "the secret is never printed");
    return new Result(process.exitValue(), output);
  }

  /** A 16 MiB segment-sized file of pseudo-random bytes (seeded: different seeds, different content). */
  private static Path segment(String name, long seed) throws IOException {
    byte[] bytes = new byte[16 * 1024 * 1024];
    new Random(seed).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  private static byte[] stored(String key) {
    return s3.client().getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(key)).asByteArray();
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
