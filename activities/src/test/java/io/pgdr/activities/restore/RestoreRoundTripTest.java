package io.pgdr.activities.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pgdr backup taken from a real database and restored beside it holds the same rows, indexes,
 * constraints, triggers, sequence positions and large objects, and a retry of a finished restore
 * changes nothing.
 */
@ExtendWith(RestoreLab.Shared.class)
@org.junit.jupiter.api.Tag("real-servers")
class RestoreRoundTripTest {

  @Test
  void aRestoredBackupHoldsWhatTheDatabaseHeld(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T230000Z", p -> { });
    String into = lab.unique("restored");
    List<TransferProgress> heartbeats = new CopyOnWriteArrayList<>();
    RestoreActivitiesImpl activities = lab.activities(RestoreLab.tuning(p -> heartbeats.add((TransferProgress) p), key -> { }));

    RestoreResult result = activities.restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into);

    assertEquals(lab.contents(RestoreLab.SHOP), lab.contents(into));
    assertEquals(lab.schemaFacts(RestoreLab.SHOP), lab.schemaFacts(into));
    BackupManifest manifest = BackupManifest.fromJson(
        lab.s3().client().getObjectAsBytes(b -> b.bucket(S3Fixture.BUCKET).key(backup.key())).asByteArray());
    assertEquals(manifest.tables(), result.rowCounts());
    assertEquals(result.partsTotal(), result.partsRestored());
    assertEquals(0, result.partsAlreadyDone());
    assertEquals(0, lab.count(into, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgdr_restore'"), "checkpoint dropped");
    TransferProgress last = heartbeats.get(heartbeats.size() - 1);
    assertEquals(result.partsTotal(), last.partsDone());
    assertEquals(last.bytesTotal(), last.bytesDone());

    RestoreCheck check = activities.checkRestore(lab.server(RestoreLab.SHOP), location, backup, into);
    assertTrue(check.passed(), check.problems().toString());
    assertEquals(manifest.tables(), check.expected());
    assertEquals(0, lab.count(into, """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
          AND c.reltuples > 0 AND NOT EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)"""),
        "every table with rows has planner statistics once checked");
  }

  @Test
  void aSecondCallAfterSuccessChangesNothing(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T230100Z", p -> { });
    String into = lab.unique("restored");
    RestoreResult first = lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into);
    try (var session = lab.connect(into); var statement = session.createStatement()) {
      statement.execute("INSERT INTO empty_table VALUES (1, 'written after the restore')");
    }

    RestoreResult again = lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, backup, into);

    assertEquals(0, again.partsRestored());
    assertEquals(first.partsTotal(), again.partsAlreadyDone());
    assertEquals(1, lab.count(into, "SELECT count(*) FROM empty_table"), "the database was not restored again");
  }

  @Test
  void aDatabaseHoldingOtherTablesIsNeverOverwritten(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T230200Z", p -> { });
    Map<String, String> before = lab.contents(RestoreLab.SHOP);

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, backup, RestoreLab.SHOP));

    assertEquals(FailureTypes.RESTORE_TARGET_OCCUPIED, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertEquals(before, lab.contents(RestoreLab.SHOP));
  }

  @Test
  void badInputFailsBeforeTouchingAnything(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry backup = lab.taker().take(location, lab.server(RestoreLab.SHOP), "20261122T230300Z", p -> { });
    PostgresServer shop = lab.server(RestoreLab.SHOP);
    PostgresServer noPasswordServer = new PostgresServer(shop.pod(), shop.host(), shop.port(), shop.database(), shop.namespace(),
        SecretRef.environment(lab.pair().superuser(), "PGDR_UNSET_PASSWORD_VARIABLE"));
    String into = lab.unique("restored");
    BackupEntry missing = new BackupEntry(location.prefix() + "pgdr/20991231T000000Z/manifest.json", BackupEntry.PGDR,
        null, backup.endTime(), 1, "15", true, "named by the operator");

    ApplicationFailure badName = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(shop, location, backup, "restored; DROP DATABASE shop"));
    ApplicationFailure noPassword = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(noPasswordServer, location, backup, into));
    ApplicationFailure noBackup = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(shop, location, missing, into));
    RestoreActivitiesImpl refused = new RestoreActivitiesImpl(CredentialResolver.fromEnvironment(Map.of("PGDR_WRONG", "nope")::get),
        lab.s3().clients(), ClientPrograms.locate(), RestoreLab.tuning(p -> { }, key -> { }));
    PostgresServer refusedServer = new PostgresServer(shop.pod(), shop.host(), shop.port(), shop.database(), shop.namespace(),
        SecretRef.environment(lab.pair().superuser(), "PGDR_WRONG"));
    ApplicationFailure wrong = assertThrows(ApplicationFailure.class,
        () -> refused.restoreBackup(refusedServer, location, backup, into));

    assertEquals(FailureTypes.INVALID_DATABASE_NAME, badName.getType());
    assertEquals(FailureTypes.CREDENTIALS_UNAVAILABLE, noPassword.getType());
    assertEquals(FailureTypes.BACKUP_NOT_FOUND, noBackup.getType());
    assertEquals(FailureTypes.CREDENTIALS_REFUSED, wrong.getType());
    for (ApplicationFailure failure : List.of(badName, noPassword, noBackup, wrong)) {
      assertTrue(failure.isNonRetryable(), failure.getMessage());
    }
    assertTrue(!lab.databaseExists(into), "nothing was created");
  }
}
