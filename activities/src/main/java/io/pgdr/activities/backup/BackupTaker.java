package io.pgdr.activities.backup;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.BackupManifest.BackupObject;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.DumpProcess;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.UploadStream;
import io.pgdr.activities.transfer.FastGzip;
import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.activities.transfer.PartWorkers;
import io.pgdr.activities.transfer.PartWorkers.PartTask;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.postgresql.PGConnection;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Takes a pgdr backup (docs/backup-format.md) of one server's database: one exported snapshot;
 * pre-data and post-data through {@code pg_dump --snapshot}; every table's rows as gzipped binary
 * {@code COPY} parts by block range, a few at a time, each streamed to the store with its size and
 * SHA-256 computed on the way; the manifest last. Idempotent per backup id: a retry rewrites the
 * objects of an attempt that had not written its manifest, and returns a finished backup as it is.
 */
public final class BackupTaker {


  private static final long PART_HEAP_BYTES = 64L * 1024 * 1024;

  private final CredentialResolver credentials;
  private final S3Clients s3;
  private final ClientPrograms programs;
  private final int parallelism;
  private final long partHeapBytes;

  public BackupTaker(CredentialResolver credentials, S3Clients s3, ClientPrograms programs) {
    // a COPY out is mostly server CPU; beyond one session per core they only queue
    this(credentials, s3, programs, Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors())), PART_HEAP_BYTES);
  }

  /**
   * @param parallelism sessions copying parts at once (each dump takes one of them while it runs)
   * @param partHeapBytes heap bytes per data part (64 MB by default; tests split small tables with it)
   */
  public BackupTaker(CredentialResolver credentials, S3Clients s3, ClientPrograms programs, int parallelism, long partHeapBytes) {
    this.credentials = credentials;
    this.s3 = s3;
    this.programs = programs;
    this.parallelism = parallelism;
    this.partHeapBytes = partHeapBytes;
  }

  /**
   * @param backupId the backup's directory name under {@code <prefix>pgdr/}
   * @param progress receives progress on the calling thread, about once a second
   */
  public BackupEntry take(BackupLocation location, PostgresServer server, String backupId, Consumer<TransferProgress> progress) {
    TakeFailures.requireName("backup id", backupId);
    String action = "backup of " + server.database() + " on " + server.pod() + " to " + location.url();
    S3Client client = s3.forLocation(location);
    String manifestKey = BackupManifest.manifestKey(location.prefix(), backupId);
    PartSessions sessions = PartSessions.of(credentials, server);
    return TakeFailures.sorted(action, location, sessions, () -> {
      Optional<BackupManifest> finished = storedManifest(client, location.bucket(), manifestKey, BackupManifest::fromJson);
      if (finished.isPresent()) {
        return entry(manifestKey, finished.get(), "already taken: ");
      }
      BackupManifest manifest = new Run(sessions, client, location.bucket(), BackupManifest.directoryKey(location.prefix(), backupId))
          .take(backupId, progress);
      client.putObject(b -> b.bucket(location.bucket()).key(manifestKey).contentType("application/json"),
          RequestBody.fromString(manifest.toJson()));
      return entry(manifestKey, manifest, "taken by pgdr: ");
    });
  }

  /** A manifest already in the store under {@code key}, read with {@code parse}; empty when there is none. */
  static <T> Optional<T> storedManifest(S3Client client, String bucket, String key, Function<byte[], T> parse) {
    try {
      return Optional.of(parse.apply(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  private static BackupEntry entry(String manifestKey, BackupManifest manifest, String how) {
    int parts = (int) manifest.objects().stream().filter(o -> BackupObject.DATA.equals(o.kind())).count();
    return new BackupEntry(manifestKey, BackupEntry.PGDR, manifest.startTime(), manifest.endTime(), manifest.sizeBytes(),
        manifest.serverVersion(), true, how + manifest.tables().size() + " tables in " + parts + " data parts, "
        + manifest.objects().size() + " objects with their SHA-256");
  }

  /** One attempt at one backup: the snapshot, the objects stored so far, the counters. */
  private final class Run {
    private final PartSessions sessions;
    private final S3Client client;
    private final String bucket;
    private final String directory;
    private final Map<String, BackupObject> stored = new ConcurrentHashMap<>();
    private PartProgress counters;

    Run(PartSessions sessions, S3Client client, String bucket, String directory) {
      this.sessions = sessions;
      this.client = client;
      this.bucket = bucket;
      this.directory = directory;
    }

    BackupManifest take(String backupId, Consumer<TransferProgress> progress) throws Exception {
      String database = sessions.server().database();
      Instant start = Instant.now();
      try (Connection holder = sessions.open(database); DumpSnapshot snapshot = DumpSnapshot.export(holder)) {
        List<DumpTable> tables = snapshot.tables();
        long blocksPerPart = Math.max(1, partHeapBytes / snapshot.blockSize());
        List<PartPlan> parts = tables.stream()
            .flatMap(table -> PartPlan.split(table, blocksPerPart).stream())
            // biggest first, so the last part to finish is a small one
            .sorted(Comparator.comparingLong((PartPlan p) -> (p.toBlock() == null ? p.table().blocks() : p.toBlock()) - p.fromBlock()).reversed())
            .toList();
        counters = new PartProgress(tables.stream().mapToLong(DumpTable::blocks).sum() * snapshot.blockSize(), parts.size() + 2);

        List<String> preData = new ArrayList<>(List.of("-Fc", "--section=pre-data", "--section=data"));
        // the data section without the tables pgdr copies itself: sequence values, large objects,
        // extensions' configuration tables
        tables.forEach(table -> preData.add("--exclude-table-data=" + table.exactPattern()));
        List<PartTask> tasks = new ArrayList<>();
        tasks.add(session -> dump(BackupManifest.PRE_DATA_KEY, BackupObject.PRE_DATA, preData, snapshot.id()));
        tasks.add(session -> dump(BackupManifest.POST_DATA_KEY, BackupObject.POST_DATA, new ArrayList<>(List.of("-Fc", "--section=post-data")), snapshot.id()));
        parts.forEach(part -> tasks.add(session -> copyPart(session, part)));
        PartWorkers.run(parallelism, () -> {
          Connection session = sessions.open(database);
          snapshot.join(session);
          return session;
        }, tasks, () -> progress.accept(counters.snapshot()));

        return new BackupManifest(BackupManifest.FORMAT, backupId, database, snapshot.serverVersion(), start, Instant.now(),
            "gzip", stored.values().stream().mapToLong(BackupObject::sizeBytes).sum(), objectsInOrder(), rowsPerTable(tables));
      }
    }

    private void dump(String key, String kind, List<String> args, String snapshotId) throws Exception {
      counters.working("pg_dump " + kind);
      args.add("--snapshot=" + snapshotId);
      args.add("--exclude-schema=" + BackupManifest.RESTORE_SCHEMA);
      UploadStream upload = new UploadStream(client, bucket, directory + key);
      ProcessBuilder builder = programs.connected(sessions.server(), null, sessions.credentials(), "pg_dump", args);
      try (DumpProcess dump = DumpProcess.start(builder, "pg_dump --section=" + kind, true)) {
        dump.stdout().transferTo(upload);
        dump.finish();
        upload.close();
      } catch (Exception e) {
        upload.abort();
        throw e;
      }
      stored.put(key, new BackupObject(key, kind, null, null, null, null, null, upload.size(), upload.sha256()));
      counters.partDone();
      counters.working(null);
    }

    private void copyPart(Connection session, PartPlan part) throws SQLException, IOException {
      counters.working(part.describe());
      UploadStream upload = new UploadStream(client, bucket, directory + part.key());
      long rows;
      try {
        // COPY writes a row at a time: the deflater works better on 64 kB
        OutputStream compressed = new BufferedOutputStream(new FastGzip(upload), 64 * 1024);
        rows = session.unwrap(PGConnection.class).getCopyAPI().copyOut(part.copyOutSql(), new Counted(compressed, counters));
        compressed.close();
      } catch (SQLException | IOException | RuntimeException e) {
        upload.abort();
        throw e;
      }
      stored.put(part.key(), new BackupObject(part.key(), BackupObject.DATA, part.table().name(), part.part(), part.fromBlock(),
          part.toBlock(), rows, upload.size(), upload.sha256()));
      counters.partDone();
      counters.working(null);
    }

    private List<BackupObject> objectsInOrder() {
      List<BackupObject> objects = new ArrayList<>();
      objects.add(stored.get(BackupManifest.PRE_DATA_KEY));
      stored.values().stream()
          .filter(o -> BackupObject.DATA.equals(o.kind()))
          .sorted(Comparator.comparing(BackupObject::table).thenComparing(BackupObject::part))
          .forEach(objects::add);
      objects.add(stored.get(BackupManifest.POST_DATA_KEY));
      return objects;
    }

    /** Every copied table, with the rows its parts hold: together, its count in the snapshot. */
    private Map<String, Long> rowsPerTable(List<DumpTable> tables) {
      Map<String, Long> rows = new TreeMap<>();
      tables.forEach(table -> rows.put(table.name(), 0L));
      stored.values().stream().filter(o -> BackupObject.DATA.equals(o.kind())).forEach(o -> rows.merge(o.table(), o.rows(), Long::sum));
      return rows;
    }
  }

  /** Counts the uncompressed bytes a COPY writes, for the progress. */
  private static final class Counted extends FilterOutputStream {
    private final PartProgress counters;

    Counted(OutputStream out, PartProgress counters) {
      super(out);
      this.counters = counters;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
      counters.addBytes(length);
    }
  }
}
