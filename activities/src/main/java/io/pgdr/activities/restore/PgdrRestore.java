package io.pgdr.activities.restore;

import io.pgdr.activities.backupformat.BackupManifest;
import io.pgdr.activities.backupformat.BackupManifest.BackupObject;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.activities.transfer.PartWorkers;
import io.pgdr.activities.transfer.PartWorkers.PartTask;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.RestoreResult;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Restores a pgdr backup (docs/backup-format.md) into one database, resumably: the pre-data in one
 * transaction, then the tables' rows a few sessions at a time (a table whole, or a big one part by
 * part: {@link DataPartLoad}), then the post-data items (indexes and constraints in parallel,
 * partition index attachments, foreign keys in parallel, the rest in order), everything committing
 * with its checkpoint rows. An attempt skips what earlier attempts committed; whatever was half
 * loaded rolled back with its session and is loaded again from its start.
 */
final class PgdrRestore {

  private static final String DEADLOCK = "40P01";
  private static final Logger log = LoggerFactory.getLogger(PgdrRestore.class);

  private final PartSessions sessions;
  private final S3Client client;
  private final ClientPrograms programs;
  private final RestoreTuning tuning;
  private final String bucket;
  private final String manifestKey;
  private final String source;
  private final String into;
  private final AtomicInteger restoredNow = new AtomicInteger();
  private PartProgress counters;
  private int attempt;

  PgdrRestore(PartSessions sessions, S3Client client, ClientPrograms programs, RestoreTuning tuning, String bucket,
      String manifestKey, String into) {
    this.sessions = sessions;
    this.client = client;
    this.programs = programs;
    this.tuning = tuning;
    this.bucket = bucket;
    this.manifestKey = manifestKey;
    this.source = "s3://" + bucket + "/" + manifestKey;
    this.into = into;
  }

  RestoreResult restore(BackupManifest manifest) throws Exception {
    long started = System.nanoTime();
    RestoreTarget.Found found = RestoreTarget.inspect(sessions, into, source);
    if (found.state() == RestoreTarget.State.RESTORED) {
      return alreadyRestored(manifest);
    }
    if (found.state() == RestoreTarget.State.OCCUPIED) {
      throw RestoreActivitiesImpl.occupied(into, sessions.server());
    }
    counters = new PartProgress(manifest.sizeBytes(), -1);
    boolean resume = found.state() == RestoreTarget.State.RESTORING && source.equals(found.source())
        && found.done().containsKey(BackupManifest.PRE_DATA_KEY);
    Map<String, Long> done = resume ? found.done() : Map.of();
    counters.alreadyDone(done.size(), manifest.objects().stream().filter(o -> done.containsKey(o.key())).mapToLong(BackupObject::sizeBytes).sum());
    AtomicReference<PostDataItems> read = new AtomicReference<>();
    try {
      // the post-data archive is read (and listed) while the database and its tables are created
      List<PartTask> schema = new ArrayList<>();
      schema.add(session -> read.set(readPostData(object(manifest, BackupManifest.POST_DATA_KEY))));
      schema.add(session -> startAttempt(manifest, found, resume));
      run(2, null, schema);
      PostDataItems postData = read.get();
      long schemaDone = System.nanoTime();
      List<BackupObject> dataParts = manifest.objects().stream().filter(o -> BackupObject.DATA.equals(o.kind())).toList();
      int partsTotal = 1 + dataParts.size() + postData.items().size();
      counters.partsTotal(partsTotal);

      DataPartLoad load = new DataPartLoad(client, bucket, manifestKey, attempt, counters, tuning.beforeCommit());
      run(tuning.parallelism(), () -> RestoreSessions.loading(sessions, into), dataTasks(load, dataParts, done));
      long rowsDone = System.nanoTime();
      for (PostDataItems.Phase phase : PostDataItems.Phase.values()) {
        int threads = phase.parallel() ? tuning.parallelism() : 1;
        run(threads, () -> RestoreSessions.indexing(sessions, into), postData.items(phase).stream()
            .filter(item -> !done.containsKey(item.key()))
            .map(item -> (PartTask) session -> runPostDataItem(session, postData, item))
            .toList());
      }
      long indexesDone = System.nanoTime();
      Map<String, Long> rows = finish(manifest);
      long finished = System.nanoTime();
      log.info("{}: schema {} s, rows {} s, indexes and constraints {} s, finish {} s", source, seconds(started, schemaDone),
          seconds(schemaDone, rowsDone), seconds(rowsDone, indexesDone), seconds(indexesDone, finished));
      return new RestoreResult(into, partsTotal, restoredNow.get(), done.size(), counters.bytesThisAttempt(), rows);
    } finally {
      if (read.get() != null) {
        read.get().close();
      }
    }
  }

  /**
   * Numbers this attempt; unless an earlier attempt committed the pre-data, first makes the
   * database empty (or new) with a fresh checkpoint and restores the pre-data into it.
   */
  private void startAttempt(BackupManifest manifest, RestoreTarget.Found found, boolean resume) throws Exception {
    if (!resume) {
      RestoreTarget.startFresh(sessions, into, found, source, sessions.server().database());
    }
    try (Connection session = sessions.open(into)) {
      attempt = RestoreCheckpoint.nextAttempt(session);
    }
    if (!resume) {
      restorePreData(object(manifest, BackupManifest.PRE_DATA_KEY));
    }
  }

  /** Reads and lists the post-data archive; the caller closes what it returns. */
  private PostDataItems readPostData(BackupObject postData) throws Exception {
    String key = BackupManifest.objectKey(manifestKey, postData);
    counters.working("reading " + BackupManifest.POST_DATA_KEY);
    try (var object = client.getObject(b -> b.bucket(bucket).key(key))) {
      VerifiedStream in = new VerifiedStream(object, "s3://" + bucket + "/" + key, counters);
      return PostDataItems.read(programs, in, postData.sizeBytes(), postData.sha256());
    } finally {
      counters.working(null);
    }
  }

  private void restorePreData(BackupObject preData) throws Exception {
    counters.working("pg_restore " + BackupManifest.PRE_DATA_KEY);
    String key = BackupManifest.objectKey(manifestKey, preData);
    // one transaction: a failed attempt leaves no half schema, and the next one starts over
    ProcessBuilder restore = programs.connected(sessions.server(), into, sessions.credentials(), "pg_restore",
        List.of("--exit-on-error", "--single-transaction", "--dbname=" + into));
    VerifiedStream read = ArchivePipe.restore(client, bucket, key, restore, "pg_restore of " + BackupManifest.PRE_DATA_KEY, counters);
    if (!read.matches(preData.sizeBytes(), preData.sha256())) {
      throw read.corrupt(preData.sizeBytes());
    }
    try (Connection session = sessions.open(into)) {
      RestoreCheckpoint.record(session, BackupManifest.PRE_DATA_KEY, 0, attempt);
    }
    partRestored();
  }

  /**
   * A task per table that loads whole (small enough, and none of its parts done yet), a task per
   * part of the others; the biggest first, so the last to finish is a small one.
   */
  private List<PartTask> dataTasks(DataPartLoad load, List<BackupObject> dataParts, Map<String, Long> done) {
    Map<String, List<BackupObject>> byTable = new LinkedHashMap<>();
    dataParts.forEach(part -> byTable.computeIfAbsent(part.table(), table -> new ArrayList<>()).add(part));
    List<Map.Entry<Long, PartTask>> sized = new ArrayList<>();
    byTable.forEach((table, parts) -> {
      List<BackupObject> left = parts.stream().filter(part -> !done.containsKey(part.key())).toList();
      if (left.size() == parts.size() && parts.size() <= tuning.wholeTableMaxParts()) {
        sized.add(Map.entry(bytes(parts), session -> partsRestored(load.loadTable(session, table, parts))));
      } else {
        left.forEach(part -> sized.add(Map.entry(part.sizeBytes(), session -> partsRestored(load.loadPart(session, part) ? 1 : 0))));
      }
    });
    return sized.stream().sorted(Map.Entry.<Long, PartTask>comparingByKey().reversed()).map(Map.Entry::getValue).toList();
  }

  private static long bytes(List<BackupObject> parts) {
    return parts.stream().mapToLong(BackupObject::sizeBytes).sum();
  }

  private void runPostDataItem(Connection session, PostDataItems postData, PostDataItems.Item item) throws Exception {
    counters.working(item.describe());
    String sql = postData.sql(item);
    for (int tries = 1; ; tries++) {
      try (Statement statement = session.createStatement()) {
        statement.execute(sql);
        tuning.beforeCommit().part(item.key());
        RestoreCheckpoint.record(session, item.key(), 0, attempt);
        session.commit();
        partRestored();
        return;
      } catch (SQLException e) {
        session.rollback();
        // two foreign keys between the same tables, added at once, may deadlock: one waits and retries
        if (!DEADLOCK.equals(e.getSQLState()) || tries == 3) {
          throw e;
        }
      } catch (Exception e) {
        session.rollback();
        throw e;
      }
    }
  }

  private void partRestored() {
    partsRestored(1);
  }

  private void partsRestored(int parts) {
    restoredNow.addAndGet(parts);
    for (int i = 0; i < parts; i++) {
      counters.partDone();
    }
    counters.working(null);
  }

  private Map<String, Long> finish(BackupManifest manifest) throws SQLException {
    try (Connection session = sessions.open(into)) {
      Map<String, Long> done = RestoreCheckpoint.done(session);
      Map<String, Long> rows = new TreeMap<>();
      manifest.tables().keySet().forEach(table -> rows.put(table, 0L));
      manifest.objects().stream()
          .filter(o -> BackupObject.DATA.equals(o.kind()))
          .forEach(o -> rows.merge(o.table(), done.getOrDefault(o.key(), 0L), Long::sum));
      RestoreTarget.finish(session, into, source);
      return rows;
    }
  }

  private RestoreResult alreadyRestored(BackupManifest manifest) throws Exception {
    counters = new PartProgress(manifest.sizeBytes(), -1);
    int parts = 1 + (int) manifest.objects().stream().filter(o -> BackupObject.DATA.equals(o.kind())).count();
    AtomicReference<PostDataItems> read = new AtomicReference<>();
    run(1, null, List.of(session -> read.set(readPostData(object(manifest, BackupManifest.POST_DATA_KEY)))));
    try (PostDataItems postData = read.get(); Connection session = sessions.open(into)) {
      parts += postData.items().size();
      return new RestoreResult(into, parts, 0, parts, 0, TableRows.count(session));
    }
  }

  private void run(int threads, PartWorkers.SessionOpener opener, List<PartTask> tasks) throws Exception {
    PartWorkers.run(threads, opener, tasks, () -> tuning.heartbeat().accept(counters.snapshot()));
  }

  private static String seconds(long fromNanos, long toNanos) {
    return String.format(Locale.ROOT, "%.1f", (toNanos - fromNanos) / 1e9);
  }

  private static BackupObject object(BackupManifest manifest, String key) {
    return manifest.objects().stream().filter(o -> key.equals(o.key())).findFirst()
        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure("the backup's manifest lists no " + key
            + ": the backup is incomplete", FailureTypes.BACKUP_CORRUPT));
  }
}
