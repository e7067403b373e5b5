package io.pgdr.activities.rejoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What pgdr reads from pg_rewind, pg_waldump and pg_controldata, on their output as PostgreSQL 15 prints it. */
class PostgresProgramOutputTest {

  @Test
  void aDryRunThatFindsDivergedWalAsksForARewind() {
    RewindReport report = RewindReport.parse(0, """
        pg_rewind: connected to server
        pg_rewind: servers diverged at WAL location 0/3018bb0 on timeline 1
        pg_rewind: rewinding from last common checkpoint at 0/2000060 on timeline 1
        pg_rewind: reading source file list
        pg_rewind: need to copy 51 MB (total source directory size is 70 MB)
        52345/52345 kB (100%) copied
        pg_rewind: Done!
        """);

    assertTrue(report.rewindNeeded());
    assertEquals("0/3018BB0", report.forkLsn());
    assertEquals(1, report.forkTimeline());
    assertNull(report.error());
  }

  @Test
  void oneTimelineOrATargetBehindTheForkNeedsNoRewind() {
    RewindReport sameTimeline = RewindReport.parse(0, """
        pg_rewind: connected to server
        pg_rewind: source and target cluster are on the same timeline
        pg_rewind: no rewind required
        """);
    RewindReport behind = RewindReport.parse(0, """
        pg_rewind: connected to server
        pg_rewind: servers diverged at WAL location 0/5000000 on timeline 2
        pg_rewind: no rewind required
        """);

    assertTrue(sameTimeline.succeeded() && !sameTimeline.rewindNeeded());
    assertNull(sameTimeline.forkLsn());
    assertFalse(behind.rewindNeeded());
    assertEquals("0/5000000", behind.forkLsn());
  }

  @Test
  void aRefusalKeepsPgRewindsOwnWordsAndTheForkItFound() {
    RewindReport missingWal = RewindReport.parse(1, """
        pg_rewind: connected to server
        pg_rewind: servers diverged at WAL location 0/3018BB0 on timeline 1
        pg_rewind: error: could not open file "/data/pg_wal/000000010000000000000002": No such file or directory
        pg_rewind: error: could not find previous WAL record at 0/2000100
        """);
    RewindReport noHints = RewindReport.parse(1, """
        pg_rewind: connected to server
        pg_rewind: error: target server needs to use either data checksums or "wal_log_hints = on"
        """);

    assertEquals("could not open file \"/data/pg_wal/000000010000000000000002\": No such file or directory", missingWal.error());
    assertEquals("0/3018BB0", missingWal.forkLsn());
    assertFalse(missingWal.sourceUnreachable());
    assertEquals("target server needs to use either data checksums or \"wal_log_hints = on\"", noHints.error());
    assertNull(noHints.forkLsn());
  }

  @Test
  void aPrimaryNotReachedIsToldApartFromRefusedCredentials() {
    RewindReport refused = RewindReport.parse(1, """
        pg_rewind: error: connection to server at "127.0.0.1", port 5999 failed: Connection refused
        \tIs the server running on that host and accepting TCP/IP connections?
        """);
    RewindReport password = RewindReport.parse(1,
        "pg_rewind: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"postgres\"\n");

    assertTrue(refused.sourceUnreachable());
    assertFalse(refused.credentialsRefused());
    assertTrue(password.credentialsRefused());
    assertFalse(password.sourceUnreachable());
  }

  @Test
  void theWalAfterTheForkGivesItsEndAndItsCommits() {
    DivergedWal wal = new DivergedWal();
    """
        rmgr: Heap        len (rec/tot):     59/    59, tx:        725, lsn: 0/03018BB0, prev 0/03018A18, desc: INSERT off 2 flags 0x00, blkref #0: rel 1663/5/16384 blk 0
        rmgr: Transaction len (rec/tot):     34/    34, tx:        725, lsn: 0/03018BF0, prev 0/03018BB0, desc: COMMIT 2026-12-07 19:15:42.776718 UTC
        rmgr: Heap        len (rec/tot):     59/    59, tx:        726, lsn: 0/03018C18, prev 0/03018BF0, desc: INSERT off 3 flags 0x00, blkref #0: rel 1663/5/16384 blk 0
        rmgr: Transaction len (rec/tot):     34/    34, tx:        726, lsn: 0/03018C58, prev 0/03018C18, desc: COMMIT 2026-12-07 19:15:42.79 UTC
        rmgr: Transaction len (rec/tot):     34/    34, tx:        727, lsn: 0/03018C80, prev 0/03018C58, desc: ABORT 2026-12-07 19:15:42.800000 UTC
        rmgr: Transaction len (rec/tot):     98/    98, tx:          0, lsn: 0/03018CA8, prev 0/03018C80, desc: COMMIT_PREPARED 731: 2026-12-07 19:15:43.811668 UTC; inval msgs: catcache 7
        rmgr: XLOG        len (rec/tot):    114/   114, tx:          0, lsn: 0/03018D10, prev 0/03018CA8, desc: CHECKPOINT_SHUTDOWN redo 0/3018D10; tli 1; shutdown
        pg_waldump: error: error in WAL record at 0/3018D10: invalid record length at 0/3018D88: wanted 24, got 0
        """.lines().forEach(wal);

    assertEquals(7, wal.records());
    assertEquals("0/3018D88", wal.end(), "the checkpoint's 114 bytes, aligned to 8: where pg_waldump found the end");
    assertEquals(3, wal.commits(), "two commits and a prepared transaction's; the abort is none");
    assertEquals(Instant.parse("2026-12-07T19:15:42.776718Z"), wal.firstCommit());
    assertEquals(Instant.parse("2026-12-07T19:15:43.811668Z"), wal.lastCommit());
  }

  @Test
  void aCommitTimeInAZoneJavaDoesNotKnowIsCountedWithoutATime() {
    DivergedWal wal = new DivergedWal();
    wal.accept("rmgr: Transaction len (rec/tot):     34/    34, tx:        725, lsn: 0/03018BF0, prev 0/03018BB0,"
        + " desc: COMMIT 2026-12-07 19:15:42.776718 XYZT");

    assertEquals(1, wal.commits());
    assertNull(wal.firstCommit());
  }

  @Test
  void theControlFileGivesTheTimelineAndTheLastKnownWalPosition() {
    ControlData primary = ControlData.parse("""
        Database cluster state:               shut down
        Latest checkpoint location:           0/3018CE8
        Latest checkpoint's TimeLineID:       1
        Minimum recovery ending location:     0/0
        Min recovery ending loc's timeline:   0
        """);
    ControlData standby = ControlData.parse("""
        Database cluster state:               shut down in recovery
        Latest checkpoint location:           0/2000100
        Latest checkpoint's TimeLineID:       1
        Minimum recovery ending location:     0/5000A10
        Min recovery ending loc's timeline:   2
        """);

    assertEquals(1, primary.timeline());
    assertEquals("0/3018CE8", primary.lastKnownLsn());
    assertEquals(2, standby.timeline());
    assertEquals("0/5000A10", standby.lastKnownLsn());
  }
}
