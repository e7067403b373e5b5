package io.pgdr.activities.restore;

import io.pgdr.activities.postgres.DumpFailures;
import io.pgdr.activities.postgres.DumpProcess;
import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Streams an archive from the store into {@code pg_restore}'s stdin: no local copy, the restore
 * starts with the first bytes. {@code pg_restore} reads a custom-format archive from a pipe
 * sequentially, which works because a serial restore asks for its entries in archive order.
 */
final class ArchivePipe {

  /** What pg_restore says about an archive that is cut short or not an archive at all. */
  private static final List<String> DAMAGED_ARCHIVE = List.of("unexpected end of file", "could not read input file",
      "could not read from input file", "did not find magic string", "does not appear to be a valid archive",
      "could not find block id", "corrupt", "could not uncompress", "invalid distance", "incorrect header check");

  private ArchivePipe() {}

  /**
   * Runs {@code restore} with the object on its stdin; returns the stream that hashed it once the
   * program exited with 0.
   */
  static VerifiedStream restore(S3Client client, String bucket, String key, ProcessBuilder restore, String what,
      PartProgress counters) throws IOException, InterruptedException {
    String name = "s3://" + bucket + "/" + key;
    try (ResponseInputStream<GetObjectResponse> object = client.getObject(b -> b.bucket(bucket).key(key));
        DumpProcess process = DumpProcess.start(restore, what, false)) {
      VerifiedStream in = new VerifiedStream(object, name, counters);
      OutputStream stdin = process.stdin();
      byte[] buffer = new byte[256 * 1024];
      int n;
      while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
        try {
          stdin.write(buffer, 0, n);
        } catch (IOException programGone) {
          // pg_restore stopped reading: its exit code and stderr say why
          object.abort();
          process.finish();
          throw programGone;
        }
      }
      process.finish();
      return in;
    }
  }

  /**
   * The failure for a {@code pg_restore} that did not exit with 0: a damaged archive is
   * {@link FailureTypes#BACKUP_CORRUPT}, a lost connection is retryable, anything else (a SQL
   * error, a missing role) fails the restore for a person to look at.
   */
  static ApplicationFailure failure(String action, DumpProcess.Failed e) {
    String stderr = e.stderr().toLowerCase(Locale.ROOT);
    if (DAMAGED_ARCHIVE.stream().anyMatch(stderr::contains)) {
      return ApplicationFailure.newNonRetryableFailureWithCause(action + ": the archive is damaged or truncated: "
          + e.getMessage() + "; restore another backup", FailureTypes.BACKUP_CORRUPT, e);
    }
    return DumpFailures.toFailure(action, e, FailureTypes.RESTORE_FAILED, false);
  }
}
