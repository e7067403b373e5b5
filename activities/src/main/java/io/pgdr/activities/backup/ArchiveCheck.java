package io.pgdr.activities.backup;

import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Checks a dump someone else stored ({@code pg_dump -Fc}) by streaming it from the store through
 * {@code pg_restore}, with no local copy of the dump: first {@code pg_restore -l}, which reads the header
 * and table of contents and stops; then {@code pg_restore -f /dev/null}, which reads and
 * decompresses every data block, so a truncated or corrupted object fails here rather than
 * half-way through a restore. pg_restore's own error line is the reason.
 */
final class ArchiveCheck {

  private static final int COPY_BUFFER = 256 * 1024;
  private static final long HEARTBEAT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final Pattern CREATED = Pattern.compile("^; Archive created at (.+)$");
  private static final Pattern SERVER_VERSION = Pattern.compile("^;\\s+Dumped from database version: (\\S+)");
  private static final Pattern TOC_ENTRY = Pattern.compile("^\\d+; ");
  private static final DateTimeFormatter PG_DUMP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

  private final S3Client s3;
  private final ClientPrograms programs;
  private final Consumer<TransferProgress> progress;

  ArchiveCheck(S3Client s3, ClientPrograms programs, Consumer<TransferProgress> progress) {
    this.s3 = s3;
    this.programs = programs;
    this.progress = progress;
  }

  BackupEntry check(BackupLocation location, BackupCandidate candidate) {
    if (candidate.sizeBytes() == 0) {
      return candidate.entry(false, "empty object (0 bytes)");
    }
    Run toc = run(location, candidate, List.of("--list"));
    if (!toc.succeeded()) {
      return candidate.entry(false, "not a readable pg_dump archive: " + toc.error());
    }
    Instant created = toc.find(CREATED).map(ArchiveCheck::parseTime).orElse(null);
    String serverVersion = toc.find(SERVER_VERSION).orElse(null);
    long entries = toc.output().stream().filter(line -> TOC_ENTRY.matcher(line).find()).count();
    Run readThrough = run(location, candidate, List.of("--file=/dev/null"));
    if (!readThrough.succeeded()) {
      return new BackupEntry(candidate.key(), BackupEntry.CUSTOM, created, candidate.listedTime(), candidate.sizeBytes(),
          serverVersion, false, "damaged: its table of contents reads (" + entries + " entries) but its data does not: " + readThrough.error());
    }
    return new BackupEntry(candidate.key(), BackupEntry.CUSTOM, created, candidate.listedTime(), candidate.sizeBytes(),
        serverVersion, true, "pg_dump archive read through by pg_restore (" + entries + " entries)"
            + (created != null ? "; data as of " + created + " (pg_dump's snapshot)" : "")
            + "; end time is the object's last-modified time, an upper bound");
  }

  /** What pg_restore printed (stdout and stderr together) and how it ended. */
  private record Run(int exitCode, List<String> output) {

    private static final String ERROR = "pg_restore: error: ";

    boolean succeeded() {
      return exitCode == 0;
    }

    /** pg_restore's last error line, which names what it could not read. */
    String error() {
      return output.stream().filter(line -> line.startsWith(ERROR)).reduce((first, last) -> last)
          .map(line -> line.substring(ERROR.length()))
          .orElse("pg_restore exited with " + exitCode + (output.isEmpty() ? "" : ": " + output.get(output.size() - 1)));
    }

    Optional<String> find(Pattern pattern) {
      return output.stream().map(pattern::matcher).filter(Matcher::find).map(m -> m.group(1).trim()).findFirst();
    }
  }

  /**
   * Streams the object into pg_restore's stdin on this thread, so heartbeats come from the
   * activity's own thread; pg_restore writes to a file, so it never blocks on a full pipe.
   */
  private Run run(BackupLocation location, BackupCandidate candidate, List<String> args) {
    String url = "s3://" + location.bucket() + "/" + candidate.key();
    Path output = null;
    Process process = null;
    try {
      output = Files.createTempFile("pgdr-pg_restore-", ".out");
      try {
        process = programs.offline("pg_restore", args).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(output.toFile())).start();
      } catch (IOException e) {
        throw ApplicationFailure.newNonRetryableFailureWithCause(
            "cannot run pg_restore to check " + url + ": " + e.getMessage() + "; " + ClientPrograms.INSTALL_HINT,
            FailureTypes.CLIENT_PROGRAM_MISSING, e);
      }
      copy(location, candidate, url, process);
      int exitCode = process.waitFor();
      // lenient decoding: object names in a TOC need not be UTF-8
      return new Run(exitCode, new String(Files.readAllBytes(output), StandardCharsets.UTF_8).lines().toList());
    } catch (IOException e) {
      throw ApplicationFailure.newFailureWithCause("checking " + url + ": " + e.getMessage(), FailureTypes.BACKUP_CHECK_FAILED, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailureWithCause("interrupted while checking " + url, FailureTypes.INTERRUPTED, e);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
      deleteQuietly(output);
    }
  }

  private void copy(BackupLocation location, BackupCandidate candidate, String url, Process process) {
    GetObjectRequest request = GetObjectRequest.builder().bucket(location.bucket()).key(candidate.key()).build();
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(request);
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, "reading " + url, e);
    }
    OutputStream stdin = process.getOutputStream();
    boolean readToEnd = false;
    long started = System.nanoTime();
    long lastBeat = started;
    long done = 0;
    byte[] buffer = new byte[COPY_BUFFER];
    try {
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException | SdkException e) {
          throw ApplicationFailure.newFailureWithCause("reading " + url + " from " + StoreFailures.store(location)
              + " failed after " + done + " bytes: " + e.getMessage(), FailureTypes.STORE_UNREACHABLE, e);
        }
        if (n < 0) {
          readToEnd = true;
          return;
        }
        try {
          stdin.write(buffer, 0, n);
        } catch (IOException pipeClosed) {
          // pg_restore stopped reading: it has what it wanted (--list) or failed; its exit code says which
          return;
        }
        done += n;
        if (System.nanoTime() - lastBeat > HEARTBEAT_EVERY_NANOS) {
          lastBeat = System.nanoTime();
          progress.accept(progress(candidate, url, done, started));
        }
      }
    } finally {
      closeQuietly(stdin);
      if (readToEnd) {
        closeQuietly(in);
      } else {
        // do not drain the rest of a large object just to reuse the connection
        in.abort();
        closeQuietly(in);
      }
    }
  }

  private static TransferProgress progress(BackupCandidate candidate, String url, long done, long started) {
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    double rate = done / seconds;
    long eta = rate > 0 ? (long) ((candidate.sizeBytes() - done) / rate) : -1;
    return new TransferProgress(done, candidate.sizeBytes(), 0, 1, rate, eta, "checking " + url + " with pg_restore");
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException alreadyBroken) {
      // pg_restore closed its end, or the connection was aborted: nothing left to release
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temp file of pg_restore's messages is harmless
    }
  }

  private static Instant parseTime(String pgDumpTime) {
    try {
      return ZonedDateTime.parse(pgDumpTime, PG_DUMP_TIME).toInstant();
    } catch (DateTimeParseException unknownZone) {
      return null;
    }
  }
}
