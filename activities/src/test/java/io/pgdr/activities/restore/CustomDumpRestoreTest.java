package io.pgdr.activities.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.PostgresActivitiesImpl;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.ports.RestoreResult;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code pg_dump -Fc} file someone else took (runbook 004's {@code latest.dump}) restores as one
 * stream from the store; a truncated one fails and is never reported as restored, and the next
 * attempt starts that restore over.
 */
@ExtendWith(RestoreLab.Shared.class)
@org.junit.jupiter.api.Tag("real-servers")
class CustomDumpRestoreTest {

  @Test
  void aDumpFileRestoresWithEveryRowAndObject(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    BackupEntry dump = upload(lab, location, "latest.dump", pgDump(lab));
    String into = lab.unique("from_dump");

    RestoreResult result = lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, dump, into);

    assertEquals(lab.contents(RestoreLab.SHOP), lab.contents(into));
    assertEquals(lab.schemaFacts(RestoreLab.SHOP), lab.schemaFacts(into));
    assertEquals(1, result.partsRestored());
    assertEquals(3000L, result.rowCounts().get("public.books"));
    RestoreCheck check = lab.activities().checkRestore(lab.server(RestoreLab.SHOP), location, dump, into);
    assertTrue(check.passed(), check.problems().toString());
    assertEquals(Map.of(), check.expected(), "a dump has no manifest");
    assertEquals(result.rowCounts(), check.actual());

    // verification of the restored database, as the workflow runs it, adds nothing to it either
    VerificationResult verified = new PostgresActivitiesImpl(lab.credentials()).verifyPrimary(lab.server(into), List.of("books"), "run-1");
    assertTrue(verified.passed(), verified.problems().toString());
    assertEquals(lab.schemaFacts(RestoreLab.SHOP), lab.schemaFacts(into), "the restored database equals the dump, object for object");
  }

  @Test
  void aTruncatedDumpFailsAndTheNextAttemptStartsOver(RestoreLab lab) throws Exception {
    BackupLocation location = lab.freshLocation();
    byte[] whole = pgDump(lab);
    BackupEntry truncated = upload(lab, location, "truncated.dump", Arrays.copyOf(whole, whole.length * 2 / 3));
    String into = lab.unique("from_truncated");

    ApplicationFailure failure = assertThrows(ApplicationFailure.class,
        () -> lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, truncated, into));

    assertEquals(FailureTypes.BACKUP_CORRUPT, failure.getType());
    assertTrue(failure.isNonRetryable());
    RestoreCheck check = lab.activities().checkRestore(lab.server(RestoreLab.SHOP), location, truncated, into);
    assertFalse(check.passed(), "a half restore is marked unfinished");

    BackupEntry good = upload(lab, location, "latest.dump", whole);
    RestoreResult result = lab.activities().restoreBackup(lab.server(RestoreLab.SHOP), location, good, into);

    assertEquals(1, result.partsRestored());
    assertEquals(lab.contents(RestoreLab.SHOP), lab.contents(into));
  }

  private static byte[] pgDump(RestoreLab lab) throws Exception {
    Path file = Files.createTempFile(lab.dir(), "shop-", ".dump");
    Credentials superuser = new Credentials(lab.pair().superuser(), lab.pair().password());
    Process dump = ClientPrograms.locate()
        .connected(lab.server(RestoreLab.SHOP), RestoreLab.SHOP, superuser, "pg_dump", List.of("-Fc", "-f", file.toString()))
        .redirectErrorStream(true).start();
    String output = new String(dump.getInputStream().readAllBytes());
    assertEquals(0, dump.waitFor(), output);
    return Files.readAllBytes(file);
  }

  private static BackupEntry upload(RestoreLab lab, BackupLocation location, String name, byte[] content) {
    String key = location.prefix() + name;
    lab.s3().put(key, content);
    return new BackupEntry(key, BackupEntry.CUSTOM, null, Instant.now(), content.length, null, true, "uploaded by the test");
  }
}
