package io.pgdr.activities.restore;

import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.activities.transfer.PartWorkers;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.RestoreResult;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Restores a {@code pg_dump -Fc} file taken by someone else (runbook 004's {@code latest.dump}):
 * one {@code pg_restore} fed from the store as the object streams in. Such an archive has no parts,
 * so an attempt that fails leaves a half restore that the next attempt drops and starts again; the
 * checkpoint schema marks the database as pgdr's while it is half restored. Ownership and
 * privileges are restored as dumped (no {@code --no-owner}): the database must come back as the
 * applications knew it, which takes a superuser or a member of the owning roles.
 */
final class CustomDumpRestore {

  private final PartSessions sessions;
  private final S3Client client;
  private final ClientPrograms programs;
  private final RestoreTuning tuning;

  CustomDumpRestore(PartSessions sessions, S3Client client, ClientPrograms programs, RestoreTuning tuning) {
    this.sessions = sessions;
    this.client = client;
    this.programs = programs;
    this.tuning = tuning;
  }

  RestoreResult restore(String bucket, BackupEntry backup, String into) throws Exception {
    String source = "s3://" + bucket + "/" + backup.key();
    RestoreTarget.Found found = RestoreTarget.inspect(sessions, into, source);
    if (found.state() == RestoreTarget.State.RESTORED) {
      try (Connection session = sessions.open(into)) {
        return new RestoreResult(into, 1, 0, 1, 0, TableRows.count(session));
      }
    }
    if (found.state() == RestoreTarget.State.OCCUPIED) {
      throw RestoreActivitiesImpl.occupied(into, sessions.server());
    }
    RestoreTarget.startFresh(sessions, into, found, source, sessions.server().database());
    long size = client.headObject(b -> b.bucket(bucket).key(backup.key())).contentLength();
    PartProgress counters = new PartProgress(size, 1);
    ProcessBuilder restore = programs.connected(sessions.server(), into, sessions.credentials(), "pg_restore",
        List.of("--exit-on-error", "--dbname=" + into));
    PartWorkers.run(1, null, List.of(session -> {
      counters.working("pg_restore " + backup.key());
      VerifiedStream read = ArchivePipe.restore(client, bucket, backup.key(), restore, "pg_restore of " + backup.key(), counters);
      if (read.size() != size) {
        throw read.corrupt(size);
      }
      counters.partDone();
    }), () -> tuning.heartbeat().accept(counters.snapshot()));
    try (Connection session = sessions.open(into)) {
      RestoreTarget.finish(session, into, source);
      Map<String, Long> rows = TableRows.count(session);
      return new RestoreResult(into, 1, 1, 0, counters.bytesThisAttempt(), rows);
    }
  }
}
