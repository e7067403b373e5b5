package io.pgdr.activities.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.BackupManifest.BackupObject;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.target.BackupLocation;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A restore that stops part way resumes from its checkpoint: parts committed before are not
 * restored again, the part that was loading when it stopped left nothing behind and is loaded
 * again from its start, and a part that does not match its manifest is never committed.
 */
@ExtendWith(RestoreLab.Shared.class)
@org.junit.jupiter.api.Tag("real-servers")
class RestoreCheckpointTest {

  /** A part at whose commit an attempt crashes. */
  private static final class InjectedCrash extends RuntimeException {
    InjectedCrash(String key) {
      super("injected crash before committing " + key);
    }
  }

  @Test
  void aRetryRestoresOnlyWhatEarlierAttemptsDidNotCommit(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261123T010000Z", p -> { });
    String into = lab.unique("resumed");

    // attempt 1 crashes at its 4th data part's commit, attempt 2 at its 9th: with 2 workers, each
    // holding at most one table's 4 parts uncommitted, 9 guarantees attempt 2 commits some (at its
    // 3rd, both workers could still be inside their first whole-table transaction: a flaky test)
    Set<String> firstCrash = ConcurrentHashMap.newKeySet();
    Set<String> secondCrash = ConcurrentHashMap.newKeySet();
    ApplicationFailure first = assertThrows(ApplicationFailure.class, () -> crashingAt(lab, 4, firstCrash)
        .restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into));
    assertTrue(first.getMessage().contains("injected crash"), first.getMessage());
    assertFalse(first.isNonRetryable(), "a crash is worth a retry");
    Map<String, Integer> afterFirst = checkpoint(lab, into);
    assertTrue(afterFirst.containsKey("pre-data.dump"));
    assertTrue(afterFirst.values().stream().allMatch(attempt -> attempt == 1), afterFirst.toString());
    assertTrue(afterFirst.keySet().stream().noneMatch(firstCrash::contains), "the crashed part did not commit");
    assertRowsAreTheCheckpointsRows(lab, into, backup);

    ApplicationFailure second = assertThrows(ApplicationFailure.class, () -> crashingAt(lab, 9, secondCrash)
        .restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into));
    assertTrue(second.getMessage().contains("injected crash"), second.getMessage());
    Map<String, Integer> afterSecond = checkpoint(lab, into);
    afterFirst.forEach((key, attempt) -> assertEquals(attempt, afterSecond.get(key), key + " kept its first attempt"));
    Set<String> secondAttemptKeys = new HashSet<>(afterSecond.keySet());
    secondAttemptKeys.removeAll(afterFirst.keySet());
    assertFalse(secondAttemptKeys.isEmpty());
    secondAttemptKeys.forEach(key -> assertEquals(2, afterSecond.get(key), key));
    assertTrue(afterSecond.keySet().stream().noneMatch(secondCrash::contains), "the crashed part did not commit");

    Set<String> restoredByThird = ConcurrentHashMap.newKeySet();
    RestoreResult third = lab.activities(RestoreLab.tuning(p -> { }, restoredByThird::add))
        .restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into);

    assertEquals(afterSecond.size(), third.partsAlreadyDone());
    assertEquals(third.partsTotal() - afterSecond.size(), third.partsRestored());
    assertTrue(restoredByThird.stream().noneMatch(afterSecond::containsKey), "no committed part was restored again");
    assertTrue(restoredByThird.containsAll(secondCrash), "the part that crashed last was restored by the third attempt");
    firstCrash.forEach(key -> assertTrue(secondAttemptKeys.contains(key) || restoredByThird.contains(key),
        "the part that crashed first was restored by a later attempt"));
    assertEquals(lab.contents(RestoreLab.SHOP), lab.contents(into));
    assertEquals(lab.schemaFacts(RestoreLab.SHOP), lab.schemaFacts(into));
    RestoreCheck check = lab.activities().checkRestore(lab.server(RestoreLab.SHOP), location, backup, into);
    assertTrue(check.passed(), check.problems().toString());
  }

  @Test
  void aPartThatIsNotTheStoredOneIsNeverCommitted(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261123T010100Z", p -> { });
    BackupManifest manifest = manifest(lab, backup);
    List<BackupObject> books = manifest.objects().stream().filter(o -> "public.books".equals(o.table())).toList();
    // a well-formed part in the wrong place: COPY accepts it, only its SHA-256 tells
    String swapped = BackupManifest.objectKey(backup.key(), books.get(1));
    lab.s3().put(swapped, bytes(lab, BackupManifest.objectKey(backup.key(), books.get(0))));
    String into = lab.unique("corrupt");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into));

    assertEquals(FailureTypes.BACKUP_CORRUPT, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getMessage().contains(swapped), failure.getMessage());
    assertFalse(checkpoint(lab, into).containsKey(books.get(1).key()));
    assertRowsAreTheCheckpointsRows(lab, into, backup);
    RestoreCheck check = lab.activities().checkRestore(lab.server(RestoreLab.SHOP), location, backup, into);
    assertFalse(check.passed(), "an unfinished restore never passes its check");
  }

  @Test
  void aDamagedPartFailsAsCorrupt(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261123T010200Z", p -> { });
    BackupObject ledger = damage(lab, backup, o -> "public.Ledger".equals(o.table()));
    String key = BackupManifest.objectKey(backup.key(), ledger);
    String into = lab.unique("damaged");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into));

    assertEquals(FailureTypes.BACKUP_CORRUPT, failure.getType());
    assertTrue(failure.getMessage().contains(key), failure.getMessage());
    assertFalse(checkpoint(lab, into).containsKey(ledger.key()));
    assertRowsAreTheCheckpointsRows(lab, into, backup);
  }

  @Test
  void aDamagedPostDataArchiveFailsAsCorruptBeforeAnyRowIsLoaded(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261123T010250Z", p -> { });
    String key = BackupManifest.objectKey(backup.key(), damage(lab, backup, o -> "post-data.dump".equals(o.key())));
    String into = lab.unique("damaged_post_data");

    // the post-data archive is read while the schema is restored: its damage must stop the restore before any row loads
    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into));

    assertEquals(FailureTypes.BACKUP_CORRUPT, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getMessage().contains(key), failure.getMessage());
    if (lab.databaseExists(into)) {
      // stopped right after CREATE DATABASE, it holds no checkpoint yet: a retry fills it as an empty one
      boolean hasCheckpoint = lab.count(into, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgdr_restore'") > 0;
      Map<String, Integer> done = hasCheckpoint ? checkpoint(lab, into) : Map.of();
      assertTrue(done.keySet().stream().noneMatch(k -> k.startsWith("data/")), "no data part was committed: " + done);
      if (done.containsKey("pre-data.dump")) {
        assertRowsAreTheCheckpointsRows(lab, into, backup);
      }
      RestoreCheck check = lab.activities().checkRestore(lab.server(RestoreLab.SHOP), location, backup, into);
      assertFalse(check.passed(), "an unfinished restore never passes its check");
    }
  }

  @Test
  void aCancelledRestoreStopsWithTheCancellationAndLeavesNoHalfPart(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261123T010300Z", p -> { });
    String into = lab.unique("cancelled");
    ActivityCanceledException cancelled = new ActivityCanceledException();
    AtomicInteger dataPartsSeen = new AtomicInteger();
    // the heartbeat throws, as the SDK's does once the activity is cancelled, while parts are loading
    RestoreActivitiesImpl activities = lab.activities(RestoreLab.tuning(progress -> {
      if (dataPartsSeen.get() >= 2) {
        throw cancelled;
      }
    }, key -> {
      if (key.startsWith("data/")) {
        dataPartsSeen.incrementAndGet();
        Thread.sleep(300);
      }
    }));

    ActivityCanceledException thrown = assertThrows(ActivityCanceledException.class,
        () -> activities.restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into));

    assertSame(cancelled, thrown, "the cancellation reaches Temporal as it is, not wrapped as a failure");
    Map<String, Integer> done = checkpoint(lab, into);
    int partsTotal = (int) manifest(lab, backup).objects().stream().filter(o -> o.table() != null).count();
    assertTrue(done.size() - 1 < partsTotal, "stopped before the end: " + done.size());
    assertRowsAreTheCheckpointsRows(lab, into, backup);
  }

  private static RestoreActivitiesImpl crashingAt(RestoreLab lab, int dataPart, Set<String> crashedAt) {
    AtomicInteger dataParts = new AtomicInteger();
    return lab.activities(RestoreLab.tuning(p -> { }, key -> {
      if (key.startsWith("data/") && dataParts.incrementAndGet() == dataPart) {
        crashedAt.add(key);
        throw new InjectedCrash(key);
      }
    }));
  }

  /** Key to attempt, as the checkpoint in {@code database} records them. */
  private static Map<String, Integer> checkpoint(RestoreLab lab, String database) throws SQLException {
    Map<String, Integer> attempts = new HashMap<>();
    try (Connection session = lab.connect(database); Statement statement = session.createStatement();
        ResultSet rows = statement.executeQuery("SELECT key, attempt FROM pgdr_restore.parts")) {
      while (rows.next()) {
        attempts.put(rows.getString(1), rows.getInt(2));
      }
    }
    return attempts;
  }

  /** Every table holds exactly the rows of its committed parts: no half part is visible. */
  private static void assertRowsAreTheCheckpointsRows(RestoreLab lab, String database, BackupEntry backup) throws SQLException {
    BackupManifest manifest = manifest(lab, backup);
    Map<String, Long> committed = new HashMap<>();
    Map<String, Integer> done = checkpoint(lab, database);
    manifest.objects().stream().filter(o -> done.containsKey(o.key()) && o.table() != null)
        .forEach(o -> committed.merge(o.table(), o.rows(), Long::sum));
    for (String table : manifest.tables().keySet()) {
      String[] parts = table.split("\\.", 2);
      long rows = lab.count(database, "SELECT count(*) FROM ONLY \"" + parts[0] + "\".\"" + parts[1] + "\"");
      assertEquals(committed.getOrDefault(table, 0L), rows, table);
    }
  }

  private static BackupManifest manifest(RestoreLab lab, BackupEntry backup) {
    return BackupManifest.fromJson(bytes(lab, backup.key()));
  }

  private static byte[] bytes(RestoreLab lab, String key) {
    return lab.s3().client().getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(key)).asByteArray();
  }

  /** Flips a byte in the middle of the first of the backup's objects that {@code which} picks, in the store. */
  private static BackupObject damage(RestoreLab lab, BackupEntry backup, Predicate<BackupObject> which) throws Exception {
    BackupObject object = manifest(lab, backup).objects().stream().filter(which).findFirst().orElseThrow();
    String key = BackupManifest.objectKey(backup.key(), object);
    byte[] damaged = bytes(lab, key);
    damaged[damaged.length / 2] ^= 0x5a;
    lab.s3().put(key, damaged);
    return object;
  }
}
