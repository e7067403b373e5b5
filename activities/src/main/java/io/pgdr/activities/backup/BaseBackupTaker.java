package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.BaseBackupManifest;
import io.pgdr.activities.backupformat.BaseBackupManifest.BaseObject;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.DumpProcess;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.UploadStream;
import io.pgdr.activities.transfer.FastGzip;
import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.ports.BaseBackupResult;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Takes a physical base backup: {@code pg_basebackup -D - -F tar -X fetch} (one tar on stdout, the
 * WAL from start to stop inside it, and, PostgreSQL 13 on, its {@code backup_manifest} as the last
 * member), gzipped on the way and streamed to {@code <prefix>base/<label>/base.tar.gz} with its size
 * and SHA-256; the manifest and {@code backup_label} are picked out of the passing stream, the
 * manifest stored beside the tar. {@code pgdr-base.json} is written last. No temporary file: the
 * store's multipart upload holds one chunk at a time, and a slow store slows pg_basebackup down.
 *
 * <p>Writing to stdout takes a cluster with no tablespaces but the default ones; one with its own
 * is refused before anything is stored.
 */
public final class BaseBackupTaker {

  private static final String BACKUP_LABEL = "backup_label";
  private static final int MANIFEST_TAIL = 64 * 1024;
  private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;
  private static final Pattern START_LSN = Pattern.compile("(?m)^START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)");
  private static final Pattern START_TIMELINE = Pattern.compile("(?m)^START TIMELINE: (\\d+)");
  private static final Pattern START_TIME = Pattern.compile("(?m)^START TIME: (.+)$");
  /** The manifest's last WAL range ends where the backup is consistent. */
  private static final Pattern WAL_RANGE = Pattern.compile(
      "\"Timeline\":\\s*(\\d+),\\s*\"Start-LSN\":\\s*\"([0-9A-F]+/[0-9A-F]+)\",\\s*\"End-LSN\":\\s*\"([0-9A-F]+/[0-9A-F]+)\"");
  /** pg_basebackup -v says it too: "write-ahead log end point: 0/2000100". */
  private static final Pattern END_POINT = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");
  private static final DateTimeFormatter LABEL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

  private final CredentialResolver credentials;
  private final S3Clients s3;
  private final ClientPrograms programs;

  public BaseBackupTaker(CredentialResolver credentials, S3Clients s3, ClientPrograms programs) {
    this.credentials = credentials;
    this.s3 = s3;
    this.programs = programs;
  }

  /**
   * @param label the base backup's directory under {@code <prefix>base/}
   * @param progress receives progress on the calling thread, about once a second
   */
  public BaseBackupResult take(BackupLocation location, PostgresServer server, String label, Consumer<TransferProgress> progress) {
    TakeFailures.requireName("base backup label", label);
    String directory = BaseBackupManifest.directoryKey(location.prefix(), label);
    String action = "base backup of " + server.pod() + " (" + server.address() + ") to " + location.url() + BaseBackupManifest.DIRECTORY + label + "/";
    S3Client client = s3.forLocation(location);
    String manifestKey = directory + BaseBackupManifest.FILE_NAME;
    PartSessions sessions = PartSessions.of(credentials, server);
    return TakeFailures.sorted(action, location, sessions, () -> {
      Optional<BaseBackupManifest> finished = BackupTaker.storedManifest(client, location.bucket(), manifestKey, BaseBackupManifest::fromJson);
      if (finished.isPresent()) {
        return result(manifestKey, finished.get(), "already taken: ");
      }
      Cluster cluster = Cluster.inspect(sessions);
      if (cluster.tablespaces() > 0) {
        throw ApplicationFailure.newNonRetryableFailure(action + ": the cluster has " + cluster.tablespaces()
            + " tablespace(s) of its own, and pg_basebackup writes a single tar to a stream only without them", FailureTypes.BACKUP_FAILED);
      }
      BaseBackupManifest manifest = stream(sessions, client, location.bucket(), directory, label, cluster, progress);
      client.putObject(b -> b.bucket(location.bucket()).key(manifestKey).contentType("application/json"),
          RequestBody.fromString(manifest.toJson()));
      return result(manifestKey, manifest, "taken by pgdr: ");
    });
  }

  private BaseBackupManifest stream(PartSessions sessions, S3Client client, String bucket, String directory, String label,
      Cluster cluster, Consumer<TransferProgress> progress) throws IOException, InterruptedException {
    PartProgress counters = new PartProgress(cluster.sizeBytes(), 1);
    counters.working("pg_basebackup");
    progress.accept(counters.snapshot());
    UploadStream tar = new UploadStream(client, bucket, directory + BaseBackupManifest.BASE_TAR);
    UploadStream manifestUpload = new UploadStream(client, bucket, directory + BaseBackupManifest.BACKUP_MANIFEST);
    Tail manifestTail = new Tail(MANIFEST_TAIL);
    ByteArrayOutputStream backupLabel = new ByteArrayOutputStream();
    boolean[] manifestSeen = {false};
    OutputStream manifestTap = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        manifestSeen[0] = true;
        manifestUpload.write(bytes, offset, length);
        manifestTail.write(bytes, offset, length);
      }
    };
    List<String> args = List.of("-D", "-", "-F", "tar", "-X", "fetch", "-c", "fast", "-l", "pgdr " + label, "-v", "-w");
    ProcessBuilder builder = programs.connected(sessions.server(), null, sessions.credentials(), "pg_basebackup", args);
    Instant start = Instant.now();
    TarMembers members = new TarMembers(new FastGzip(tar), Map.of(BACKUP_LABEL, backupLabel, BaseBackupManifest.BACKUP_MANIFEST, manifestTap));
    String stderr;
    try (DumpProcess basebackup = DumpProcess.start(builder, "pg_basebackup", true)) {
      byte[] buffer = new byte[256 * 1024];
      long lastReport = System.nanoTime();
      try (InputStream in = basebackup.stdout()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          members.write(buffer, 0, n);
          counters.addBytes(n);
          if (System.nanoTime() - lastReport > PROGRESS_EVERY_NANOS) {
            lastReport = System.nanoTime();
            progress.accept(counters.snapshot());
          }
        }
      }
      basebackup.finish();
      stderr = basebackup.stderr();
      if (!members.ended()) {
        throw new IOException("pg_basebackup's tar ended without its end-of-archive block after " + members.bytes() + " bytes");
      }
      members.close();
      if (manifestSeen[0]) {
        manifestUpload.close();
      } else {
        manifestUpload.abort();
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      tar.abort();
      manifestUpload.abort();
      throw e;
    }
    Instant stop = Instant.now();
    counters.partDone();
    counters.working(null);
    progress.accept(counters.snapshot());

    String labelText = backupLabel.toString(StandardCharsets.UTF_8);
    String startLsn = first(START_LSN, labelText).orElseThrow(() -> new IOException("the tar's backup_label has no START WAL LOCATION"));
    int timeline = first(START_TIMELINE, labelText).map(Integer::parseInt).orElse(0);
    String stopLsn = null;
    Matcher range = WAL_RANGE.matcher(manifestTail.text());
    while (range.find()) {
      stopLsn = range.group(3);
      if (timeline == 0) {
        timeline = Integer.parseInt(range.group(1));
      }
    }
    if (stopLsn == null) {
      stopLsn = first(END_POINT, stderr).orElseThrow(() -> new IOException("neither backup_manifest nor pg_basebackup said where the backup ends"));
    }
    List<BaseObject> objects = manifestSeen[0]
        ? List.of(new BaseObject(BaseBackupManifest.BASE_TAR, tar.size(), tar.sha256()),
            new BaseObject(BaseBackupManifest.BACKUP_MANIFEST, manifestUpload.size(), manifestUpload.sha256()))
        : List.of(new BaseObject(BaseBackupManifest.BASE_TAR, tar.size(), tar.sha256()));
    return new BaseBackupManifest(BaseBackupManifest.FORMAT, label, cluster.serverVersion(), timeline, startLsn, stopLsn,
        first(START_TIME, labelText).flatMap(BaseBackupTaker::labelTime).orElse(start), stop, BaseBackupManifest.WAL_FETCHED, "gzip",
        members.bytes(), objects.stream().mapToLong(BaseObject::sizeBytes).sum(), objects);
  }

  private static Optional<String> first(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** backup_label's "2026-12-07 02:35:00 UTC" (the server's log_timezone); empty when the zone is not one Java knows. */
  private static Optional<Instant> labelTime(String text) {
    try {
      return Optional.of(ZonedDateTime.parse(text.strip(), LABEL_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }


  private static BaseBackupResult result(String key, BaseBackupManifest manifest, String how) {
    return new BaseBackupResult(key, manifest.label(), manifest.timeline(), manifest.startLsn(), manifest.stopLsn(),
        manifest.startTime(), manifest.stopTime(), manifest.sizeBytes(), manifest.serverVersion(),
        how + manifest.objects().stream().map(BaseObject::key).toList() + " with their SHA-256, " + manifest.tarBytes()
            + " bytes of tar with the WAL from " + manifest.startLsn() + " to " + manifest.stopLsn() + " inside");
  }

  /** What pg_basebackup itself does not say up front: version, own tablespaces, about how much it will send. */
  private record Cluster(String serverVersion, int tablespaces, long sizeBytes) {

    static Cluster inspect(PartSessions sessions) throws SQLException {
      try (Connection session = sessions.open(sessions.server().database()); Statement statement = session.createStatement()) {
        String version;
        int tablespaces;
        try (ResultSet row = statement.executeQuery("SELECT current_setting('server_version'),"
            + " (SELECT count(*) FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global'))")) {
          row.next();
          // "15.14 (Debian 15.14-1.pgdg120+1)": the number is the version
          version = row.getString(1).split(" ")[0];
          tablespaces = row.getInt(2);
        }
        long size = -1;
        try (ResultSet row = statement.executeQuery("SELECT sum(pg_database_size(oid))::bigint FROM pg_database WHERE datallowconn")) {
          row.next();
          size = row.getLong(1);
        } catch (SQLException noConnectOnSome) {
          // the size only feeds the progress bar's estimate
        }
        return new Cluster(version, tablespaces, size);
      }
    }
  }

  /** Keeps the last bytes written. */
  private static final class Tail extends OutputStream {
    private final byte[] ring;
    private long written;

    Tail(int size) {
      ring = new byte[size];
    }

    @Override
    public void write(int b) {
      ring[(int) (written++ % ring.length)] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      for (int i = 0; i < length; i++) {
        write(bytes[offset + i]);
      }
    }

    String text() {
      int kept = (int) Math.min(written, ring.length);
      byte[] out = new byte[kept];
      for (int i = 0; i < kept; i++) {
        out[i] = ring[(int) ((written - kept + i) % ring.length)];
      }
      return new String(out, StandardCharsets.UTF_8);
    }
  }
}
