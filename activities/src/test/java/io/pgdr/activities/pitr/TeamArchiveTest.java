package io.pgdr.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.DataVolume;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.RecoveryReached;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team's own archive, made without pgdr: WAL uploaded by a plain {@code archive_command} around
 * curl, and a base backup taken with {@code pg_basebackup -Ft -z -X stream} and uploaded file by
 * file (base.tar.gz, pg_wal.tar.gz, backup_manifest, no pgdr-base.json). pgdr learns the base
 * backup's WAL range from backup_manifest and the archive's .backup label, and recovers it the same way.
 */
@Tag("real-servers")
class TeamArchiveTest {

  @TempDir Path dir;

  @Test
  void anArchiveMadeWithCurlAndPgBasebackupIsRecoveredTheSameWay() throws Exception {
    try (ArchivingServer archive = ArchivingServer.start(dir, "curl -sf -T %p {wal}%f")) {
      PitrActivitiesImpl pitr = new PitrActivitiesImpl(archive.credentials(), archive.s3.clients(), Clock.systemUTC(), progress -> { }, java.time.Duration.ofSeconds(2), null);
      archive.insert(1, 50);
      archive.teamBaseBackup("team-nightly");
      String target = archive.rowsAroundATargetTime();

      PitrTarget time = PitrTarget.time(target);
      PitrResolution resolution = pitr.resolveTarget(archive.location, time);
      assertEquals("team-nightly", resolution.baseLabel());
      assertTrue(resolution.baseObjects().contains("pg_wal.tar.gz"), resolution.baseObjects().toString());
      DataVolume volume = archive.freshVolume("restored-team");
      pitr.restoreBase(volume, archive.location, resolution, time, "run-team");
      int port = archive.startServer(volume);
      RecoveryReached reached;
      try {
        reached = pitr.recoverToTarget(volume, archive.server(port), archive.location, resolution, time);
      } catch (RuntimeException e) {
        throw new AssertionError(e.getMessage() + "\n" + archive.log(volume), e);
      }

      assertEquals(100, archive.count(port, "SELECT count(*) FROM marks"), "exactly the rows before the target");
      assertTrue(reached.timeline() >= 2, reached.toString());
    }
  }

  @Test
  void segmentsCompressedWithZstdAndLz4AreRecoveredTheSameWay() throws Exception {
    // half the segments (and the labels) go up as zstd, the other half as lz4, as the tools' own CLIs write them
    String command = "case %f in *[02468ACE]) zstd -q -c %p | curl -sf -T - {wal}%f.zst ;; *) lz4 -q -c %p | curl -sf -T - {wal}%f.lz4 ;; esac";
    try (ArchivingServer archive = ArchivingServer.start(dir, command)) {
      PitrActivitiesImpl pitr = new PitrActivitiesImpl(archive.credentials(), archive.s3.clients(), Clock.systemUTC(), progress -> { },
          java.time.Duration.ofSeconds(2), null);
      archive.insert(1, 50);
      archive.baseBackup("20261207T090000Z");
      String target = archive.rowsAroundATargetTime();

      PitrTarget time = PitrTarget.time(target);
      PitrResolution resolution = pitr.resolveTarget(archive.location, time);
      List<String> segments = resolution.allSegments();
      assertTrue(segments.stream().anyMatch(s -> s.endsWith(".zst")) && segments.stream().anyMatch(s -> s.endsWith(".lz4")), segments.toString());
      DataVolume volume = archive.freshVolume("restored-compressed");
      pitr.restoreBase(volume, archive.location, resolution, time, "run-compressed");
      int port = archive.startServer(volume);
      try {
        pitr.recoverToTarget(volume, archive.server(port), archive.location, resolution, time);
      } catch (RuntimeException e) {
        throw new AssertionError(e.getMessage() + "\n" + archive.log(volume), e);
      }

      assertEquals(100, archive.count(port, "SELECT count(*) FROM marks"), "exactly the rows before the target");
    }
  }
}
