package io.pgdr.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.RestoredBase;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Point-in-time recovery on real servers: a primary archiving into a real S3-compatible store with
 * pgdr's archive command, a base backup, rows written before and after each target, and the pitr
 * activities restoring into fresh data directories on which real servers recover and promote.
 * Each recovery promotes onto a new timeline whose history lands in the same archive, so the later
 * ones are PITRs in a row on it.
 */
@Tag("real-servers")
class PitrOnRealServersTest {

  @TempDir static Path dir;
  static ArchivingServer archive;
  static PitrActivitiesImpl pitr;
  static String baseStop;
  static String afterRow100;
  static String lsnAfterRow200;
  static String xidOfRow120;
  static int volumes;

  @BeforeAll
  static void archiveRowsAroundThreeTargets() throws Exception {
    archive = ArchivingServer.start(dir, null);
    pitr = new PitrActivitiesImpl(archive.credentials(), archive.s3.clients(), Clock.systemUTC(), progress -> { }, java.time.Duration.ofSeconds(2), null);
    archive.insert(1, 50);
    baseStop = archive.baseBackup("20261207T040000Z").stopTime().toString();
    archive.insert(51, 100);
    Thread.sleep(1100);
    afterRow100 = archive.sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
    Thread.sleep(1100);
    archive.sql("SELECT pg_switch_wal()");
    archive.insert(101, 119);
    xidOfRow120 = archive.insertReturningXid(120);
    archive.insert(121, 150);
    archive.sql("SELECT pg_create_restore_point('before-migration')");
    archive.insert(151, 200);
    lsnAfterRow200 = archive.sql("SELECT pg_current_wal_lsn()::text");
    archive.insert(201, 250);
    archive.archiveAll();
  }

  @AfterAll
  static void stop() throws Exception {
    if (archive != null) {
      archive.close();
    }
  }

  /** Restores and recovers into a new directory; returns the port of the promoted server. */
  private static int recover(PitrTarget target, RecoveryReached[] reached) throws Exception {
    PitrResolution resolution = pitr.resolveTarget(archive.location, target);
    DataVolume volume = archive.freshVolume("restored-" + (++volumes));
    RestoredBase base = pitr.restoreBase(volume, archive.location, resolution, target, "run-" + volumes);
    assertTrue(base.checkedFiles() > 900, "every file checked against backup_manifest: " + base);
    int port = archive.startServer(volume);
    try {
      reached[0] = pitr.recoverToTarget(volume, archive.server(port), archive.location, resolution, target);
    } catch (RuntimeException e) {
      throw new AssertionError("recovery failed: " + e.getMessage() + "\n" + archive.log(volume), e);
    }
    assertFalse(Files.exists(Path.of(volume.path(), "pgdr_spool")), "the spool is removed once promoted");
    assertEquals(0, archive.count(port, "SELECT count(*) FROM pg_file_settings WHERE name LIKE 'recovery_target%' OR name = 'restore_command'"),
        "pgdr's recovery settings are gone from the configuration");
    assertEquals(0, archive.count(port, "SELECT pg_is_in_recovery()::int"));
    return port;
  }

  @Test
  void aTimeTargetLeavesExactlyTheRowsCommittedBeforeIt() throws Exception {
    RecoveryReached[] reached = new RecoveryReached[1];
    int port = recover(PitrTarget.time(afterRow100), reached);

    assertEquals(100, archive.count(port, "SELECT count(*) FROM marks"));
    assertEquals(100, archive.count(port, "SELECT max(n) FROM marks"));
    assertTrue(reached[0].timeline() >= 2, "a new timeline: " + reached[0]);
    assertTrue(reached[0].lastCommitTime() != null && !reached[0].lastCommitTime().isAfter(
        io.pgdr.activities.backupformat.RecoverableWindow.parseTime(afterRow100)), reached[0].toString());
    assertTrue(reached[0].segmentsFetched() > 0, reached[0].toString());
    assertEquals(0, reached[0].fetchedAgain());
  }

  @Test
  void aNamedRestorePointALocationAndATransactionLeaveTheRowsUpToThem() throws Exception {
    RecoveryReached[] reached = new RecoveryReached[1];
    int named = recover(new PitrTarget(null, null, null, "before-migration", 1, false), reached);
    assertEquals(150, archive.count(named, "SELECT count(*) FROM marks"));

    int located = recover(new PitrTarget(null, lsnAfterRow200, null, null, 1, false), reached);
    assertEquals(200, archive.count(located, "SELECT count(*) FROM marks"));

    int committed = recover(new PitrTarget(null, null, xidOfRow120, null, 1, false), reached);
    assertEquals(120, archive.count(committed, "SELECT count(*) FROM marks"), "up to and including transaction " + xidOfRow120);

    int before = recover(new PitrTarget(null, null, xidOfRow120, null, 1, true), reached);
    assertEquals(119, archive.count(before, "SELECT count(*) FROM marks"), "exclusive: up to, not including, transaction " + xidOfRow120);
  }

  @Test
  void aTargetNeverMetEndsRecoveryShortAndFailsClearly() throws Exception {
    PitrTarget never = new PitrTarget(null, null, "3999999999", null, 1, false);
    PitrResolution resolution = pitr.resolveTarget(archive.location, never);
    DataVolume volume = archive.freshVolume("restored-short");
    pitr.restoreBase(volume, archive.location, resolution, never, "run-short");
    int port = archive.startServer(volume);

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> pitr.recoverToTarget(volume, archive.server(port), archive.location, resolution, never));

    assertEquals(FailureTypes.RECOVERY_ENDED_EARLY, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("recovery ended before reaching the target"), failure.getOriginalMessage());
    assertTrue(archive.log(volume).contains("recovery ended before configured recovery target was reached"), archive.log(volume));
  }

  @Test
  void aServerThatStopsForAnotherReasonIsNotWaitedFor() throws Exception {
    PitrTarget target = new PitrTarget(null, lsnAfterRow200, null, null, 1, false);
    PitrResolution resolution = pitr.resolveTarget(archive.location, target);
    DataVolume volume = archive.freshVolume("restored-refused");
    pitr.restoreBase(volume, archive.location, resolution, target, "run-refused");
    // a setting the server refuses at its start (a later line wins): it stops at once, the archive not read
    Files.writeString(Path.of(volume.path(), "postgresql.auto.conf"), "recovery_target_timeline = '99'\n", java.nio.file.StandardOpenOption.APPEND);
    int port = archive.startServer(volume);

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> pitr.recoverToTarget(volume, archive.server(port), archive.location, resolution, target));

    assertEquals(FailureTypes.RECOVERY_ENDED_EARLY, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("not because the archive ran out"), failure.getOriginalMessage());
    assertTrue(archive.log(volume).contains("recovery target timeline 99 does not exist"), archive.log(volume));
  }

  @Test
  void segmentsSpooledBeforeALostAttemptAreNotFetchedAgain() throws Exception {
    PitrTarget target = new PitrTarget(null, lsnAfterRow200, null, null, 1, false);
    PitrResolution resolution = pitr.resolveTarget(archive.location, target);
    DataVolume volume = archive.freshVolume("restored-resumed");
    pitr.restoreBase(volume, archive.location, resolution, target, "run-resumed");
    // the first attempt fetches ahead while no server runs yet, and is lost
    AtomicReference<Throwable> lost = new AtomicReference<>();
    Thread first = new Thread(() -> {
      try {
        pitr.recoverToTarget(volume, archive.server(0), archive.location, resolution, target);
      } catch (Throwable t) {
        lost.set(t);
      }
    });
    first.start();
    Path spool = Path.of(volume.path(), "pgdr_spool");
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (fetched(spool) < Math.min(3, resolution.segments().size()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    first.interrupt();
    first.join(10_000);
    long spooled = fetched(spool);
    assertTrue(spooled >= 2, "the first attempt spooled segments: " + spooled);

    int port = archive.startServer(volume);
    RecoveryReached reached = pitr.recoverToTarget(volume, archive.server(port), archive.location, resolution, target);

    assertTrue(reached.segmentsReused() >= 2, "segments of the lost attempt were used: " + reached);
    assertEquals(0, reached.fetchedAgain(), "no segment fetched twice: " + reached);
    assertEquals(200, archive.count(port, "SELECT count(*) FROM marks"));
  }

  @Test
  void targetsTheArchiveCannotServeAreRefusedNamingTheWindow() throws Exception {
    assertRefused(PitrTarget.time("2999-01-01 00:00:00+00"), "in the future");
    assertRefused(PitrTarget.time("yesterday at noon"), "is not YYYY-MM-DD HH:MM:SS");
    assertRefused(PitrTarget.time("2020-01-01 00:00:00+00"), "before the earliest base backup");
    assertRefused(new PitrTarget(null, "FF/0", null, null, 1, false), "after the last archived WAL");
    assertRefused(new PitrTarget(null, null, null, null, null, false), "give one of");

    BackupLocation copy = archive.s3.freshLocation();
    String deleted = null;
    for (S3Object object : archive.s3.client().listObjectsV2Paginator(b -> b.bucket(archive.location.bucket())
        .prefix(archive.location.prefix())).contents()) {
      String relative = object.key().substring(archive.location.prefix().length());
      archive.s3.client().copyObject(b -> b.sourceBucket(archive.location.bucket()).sourceKey(object.key())
          .destinationBucket(copy.bucket()).destinationKey(copy.prefix() + relative));
    }
    PitrResolution whole = pitr.resolveTarget(copy, new PitrTarget(null, lsnAfterRow200, null, null, 1, false));
    deleted = whole.segments().get(whole.segments().size() - 2);
    String key = copy.prefix() + "wal/" + deleted;
    archive.s3.client().deleteObject(b -> b.bucket(copy.bucket()).key(key));
    ApplicationFailure gap = assertThrows(ApplicationFailure.class,
        () -> pitr.resolveTarget(copy, new PitrTarget(null, lsnAfterRow200, null, null, 1, false)));
    assertEquals(FailureTypes.TARGET_REFUSED, gap.getType());
    assertTrue(gap.getOriginalMessage().contains("lies in a gap") && gap.getOriginalMessage().contains(deleted), gap.getOriginalMessage());
    assertTrue(gap.getOriginalMessage().contains("the recoverable window: "), gap.getOriginalMessage());
  }

  private static long fetched(Path spool) throws java.io.IOException {
    Path log = spool.resolve("fetched");
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }

  private static void assertRefused(PitrTarget target, String because) {
    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> pitr.resolveTarget(archive.location, target));
    assertEquals(FailureTypes.TARGET_REFUSED, failure.getType(), failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains(because), failure.getOriginalMessage());
  }
}
