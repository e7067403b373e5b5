package io.pgdr.activities.restore;

import io.pgdr.activities.backup.BackupManifest;
import io.pgdr.activities.backup.BackupManifest.BackupObject;
import io.pgdr.activities.backup.PartProgress;
import io.pgdr.activities.backup.PartSessions;
import io.pgdr.activities.backup.PartWorkers;
import io.pgdr.activities.backup.PartWorkers.PartTask;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.ports.BackupFailures;
import io.pgdr.ports.RestoreResult;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

  static final String PRE_DATA = "pre-data.dump";
  private static final String POST_DATA = "post-data.dump";
  private static final String DEADLOCK = "40P01";

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
    RestoreTarget.Found found = RestoreTarget.inspect(sessions, into, source);
    if (found.state() == RestoreTarget.State.RESTORED) {
      return alreadyRestored(manifest);
    }
    if (found.state() == RestoreTarget.State.OCCUPIED) {
      throw RestoreActivitiesImpl.occupied(into, sessions.server());
    }
    counters = new PartProgress(manifest.sizeBytes(), -1);
    try (PostDataItems postData = readPostData(object(manifest, POST_DATA))) {
      boolean resume = found.state() == RestoreTarget.State.RESTORING && source.equals(found.source())
          && found.done().containsKey(PRE_DATA);
      if (!resume) {
        RestoreTarget.startFresh(sessions, into, found, source, sessions.server().database());
      }
      Map<String, Long> done = resume ? found.done() : Map.of();
      try (Connection session = sessions.open(into)) {
        attempt = RestoreCheckpoint.nextAttempt(session);
      }
      List<BackupObject> dataParts = manifest.objects().stream().filter(o -> BackupObject.DATA.equals(o.kind())).toList();
      int partsTotal = 1 + dataParts.size() + postData.items().size();
      counters.partsTotal(partsTotal);
      counters.alreadyDone(done.size(), manifest.objects().stream().filter(o -> done.containsKey(o.key())).mapToLong(BackupObject::sizeBytes).sum());

      if (!resume) {
        run(1, null, List.of(session -> restorePreData(object(manifest, PRE_DATA))));
      }
      DataPartLoad load = new DataPartLoad(client, bucket, manifestKey, attempt, counters, tuning.beforeCommit());
      run(tuning.parallelism(), this::dataSession, dataTasks(load, dataParts, done));
      for (PostDataItems.Phase phase : PostDataItems.Phase.values()) {
        int threads = phase.parallel() ? tuning.parallelism() : 1;
        run(threads, this::postDataSession, postData.items(phase).stream()
            .filter(item -> !done.containsKey(item.key()))
            .map(item -> (PartTask) session -> runPostDataItem(session, postData, item))
            .toList());
      }
      Map<String, Long> rows = finish(manifest);
      return new RestoreResult(into, partsTotal, restoredNow.get(), done.size(), counters.bytesThisAttempt(), rows);
    }
  }

  private PostDataItems readPostData(BackupObject postData) throws Exception {
    String key = BackupManifest.objectKey(manifestKey, postData);
    AtomicReference<PostDataItems> items = new AtomicReference<>();
    run(1, null, List.of(session -> {
      counters.working("reading " + POST_DATA);
      try (var object = client.getObject(b -> b.bucket(bucket).key(key))) {
        VerifiedStream in = new VerifiedStream(object, "s3://" + bucket + "/" + key, counters);
        PostDataItems read = PostDataItems.read(programs, in);
        in.drain();
        if (!in.matches(postData.sizeBytes(), postData.sha256())) {
          read.close();
          throw in.corrupt(postData.sizeBytes());
        }
        items.set(read);
      }
      counters.working(null);
    }));
    return items.get();
  }

  private void restorePreData(BackupObject preData) throws Exception {
    counters.working("pg_restore " + PRE_DATA);
    String key = BackupManifest.objectKey(manifestKey, preData);
    // one transaction: a failed attempt leaves no half schema, and the next one starts over
    ProcessBuilder restore = programs.connected(sessions.server(), into, sessions.credentials(), "pg_restore",
        List.of("--exit-on-error", "--single-transaction", "--dbname=" + into));
    VerifiedStream read = ArchivePipe.restore(client, bucket, key, restore, "pg_restore of " + PRE_DATA, counters);
    if (!read.matches(preData.sizeBytes(), preData.sha256())) {
      throw read.corrupt(preData.sizeBytes());
    }
    try (Connection session = sessions.open(into)) {
      RestoreCheckpoint.record(session, PRE_DATA, 0, attempt);
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
    try (PostDataItems postData = readPostData(object(manifest, POST_DATA)); Connection session = sessions.open(into)) {
      parts += postData.items().size();
      return new RestoreResult(into, parts, 0, parts, 0, TableRows.count(session));
    }
  }

  private void run(int threads, PartWorkers.SessionOpener opener, List<PartTask> tasks) throws Exception {
    PartWorkers.run(threads, opener, tasks, () -> tuning.heartbeat().accept(counters.snapshot()));
  }

  /** A loading session: each part's commit need not wait for its WAL flush (the checkpoint row commits with it). */
  private Connection dataSession() throws SQLException {
    Connection session = sessions.open(into);
    try (Statement statement = session.createStatement()) {
      statement.execute("SET synchronous_commit = off");
      statement.execute("SET statement_timeout = 0");
      statement.execute("SET lock_timeout = 0");
    }
    session.setAutoCommit(false);
    return session;
  }

  /** An index-building session: sorting in memory instead of on disk is most of an index build's speed. */
  private Connection postDataSession() throws SQLException {
    Connection session = dataSession();
    try (Statement statement = session.createStatement()) {
      statement.execute("SET maintenance_work_mem = '256MB'");
    }
    session.commit();
    return session;
  }

  private static BackupObject object(BackupManifest manifest, String key) {
    return manifest.objects().stream().filter(o -> key.equals(o.key())).findFirst()
        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure("the backup's manifest lists no " + key
            + ": the backup is incomplete", BackupFailures.BACKUP_CORRUPT));
  }
}
