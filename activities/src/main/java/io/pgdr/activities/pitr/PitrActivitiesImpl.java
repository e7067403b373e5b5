package io.pgdr.activities.pitr;

import io.pgdr.activities.backup.PhysicalArchiveReader;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.PostgresConnector;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.activities.temporal.HeartbeatWhileBlocked;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrActivities;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.RestoredBase;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

public final class PitrActivitiesImpl implements PitrActivities {

  private static final Logger log = LoggerFactory.getLogger(PitrActivitiesImpl.class);
  /** What a new volume may hold before pgdr writes to it: ext4's lost+found. */
  private static final List<String> EMPTY_VOLUME_ENTRIES = List.of("lost+found");

  private final CredentialResolver credentials;
  private final S3Clients s3;
  private final Clock clock;
  private final Consumer<Object> heartbeat;

  private final Duration restartPatience;
  /** Where a volume the worker does not reach is written; null where there is no Kubernetes (the agent inside such a pod). */
  private final VolumeJobs jobs;

  /** @param jobs runs the steps on volumes the worker does not reach, in pods that mount them */
  public PitrActivitiesImpl(CredentialResolver credentials, S3Clients s3, VolumeJobs jobs) {
    this(credentials, s3, Clock.systemUTC(), new ActivityHeartbeat(), RecoveryFeed.RESTART_PATIENCE, jobs);
  }

  PitrActivitiesImpl(CredentialResolver credentials, S3Clients s3, Clock clock, Consumer<Object> heartbeat, Duration restartPatience,
      VolumeJobs jobs) {
    this.restartPatience = restartPatience;
    this.jobs = jobs;
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.clock = clock;
    this.heartbeat = heartbeat;
  }

  @Override
  public PitrResolution resolveTarget(BackupLocation location, PitrTarget target) {
    // a big archive lists for longer than the heartbeat timeout: the attempt says it is alive meanwhile
    return HeartbeatWhileBlocked.run("reading the archive under " + location.url(),
        () -> new TargetResolution(new PhysicalArchiveReader(s3)).resolve(location, target, clock.instant()));
  }

  @Override
  public RestoredBase restoreBase(DataVolume volume, BackupLocation location, PitrResolution resolution, PitrTarget target, String runId) {
    if (!writesItself(volume, VolumeJobSpec.RESTORE_BASE)) {
      return inPod(volume).run(new VolumeJobSpec(VolumeJobSpec.RESTORE_BASE, volume, location, resolution, target, runId, null), null,
          RestoredBase.class);
    }
    Path dataDir = Path.of(volume.path());
    try {
      VolumeOwner owner = VolumeOwner.of(dataDir);
      WalSpool spool = new WalSpool(dataDir, owner);
      if (runId.equals(spool.read(WalSpool.RUN).orElse(null)) && spool.read(WalSpool.RESTORED).isPresent()) {
        String[] figures = spool.read(WalSpool.RESTORED).get().split(" ");
        return new RestoredBase(Long.parseLong(figures[0]), Long.parseLong(figures[1]), Long.parseLong(figures[2]), 0);
      }
      prepareEmpty(dataDir, spool, runId);
      long started = System.nanoTime();
      S3Client client = s3.forLocation(location);
      long[] written = new BaseRestore(client, location, resolution, heartbeat).restoreInto(dataDir, owner);
      RecoverySettings.write(dataDir, owner, resolution, target);
      spool.writeScript(resolution.allSegments().stream().map(RecoveryFeed::walName).toList());
      HeartbeatWhileBlocked.run("fetching the archive's timeline history files", () -> {
        spoolHistories(client, location, spool);
        return null;
      });
      spool.write(WalSpool.RESTORED, written[0] + " " + written[1] + " " + written[2]);
      double seconds = (System.nanoTime() - started) / 1e9;
      log.info("base backup {} restored into {}: {} files, {} bytes, {} checked, {} s", resolution.baseLabel(), dataDir, written[0],
          written[1], written[2], seconds);
      return new RestoredBase(written[0], written[1], written[2], seconds);
    } catch (IOException e) {
      throw ApplicationFailure.newFailure("writing the restore into " + dataDir + ": " + e, FailureTypes.RESTORE_FAILED);
    }
  }

  /**
   * Empties what an earlier attempt of this run left, or checks the volume is new; then marks it as
   * this run's. A volume with anything else in it is refused: pgdr never deletes data it did not write.
   */
  private static void prepareEmpty(Path dataDir, WalSpool spool, String runId) throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(dataDir)) {
      entries = list.filter(p -> !EMPTY_VOLUME_ENTRIES.contains(p.getFileName().toString())).toList();
    }
    boolean ours = runId.equals(spool.read(WalSpool.RUN).orElse(null));
    // an attempt lost between creating the spool and marking it leaves the spool alone in the volume
    boolean onlyAnUnmarkedSpool = entries.size() == 1 && entries.get(0).equals(spool.dir()) && spool.read(WalSpool.RUN).isEmpty();
    if (!entries.isEmpty() && !ours && !onlyAnUnmarkedSpool) {
      throw ApplicationFailure.newNonRetryableFailure(dataDir + " is not empty (" + entries.size() + " entries, e.g. "
          + entries.get(0).getFileName() + ") and was not filled by this run: pgdr restores only into the new volume it asked for",
          FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    for (Path entry : entries) {
      if (!entry.equals(spool.dir())) {
        WalSpool.deleteTree(entry);
      }
    }
    spool.create();
    spool.write(WalSpool.RUN, runId);
  }

  /** Every timeline history file of the archive, before the server starts: it reads them first, and again to pick its new timeline. */
  private static void spoolHistories(S3Client client, BackupLocation location, WalSpool spool) throws IOException {
    String prefix = location.prefix() + "wal/";
    try {
      for (var object : client.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(prefix)).contents()) {
        String file = object.key().substring(prefix.length());
        if (!file.matches("[0-9A-Fa-f]{8}\\.history(\\.(gz|zst|lz4))?")) {
          continue;
        }
        String name = RecoveryFeed.walName(file);
        try (var stored = client.getObject(b -> b.bucket(location.bucket()).key(object.key()));
             var plain = io.pgdr.activities.backupformat.WalCompression.plainByName(file, stored)) {
          spool.store(name, plain);
        }
      }
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, "reading the history files under s3://" + location.bucket() + "/" + prefix, e);
    }
  }

  @Override
  public RecoveryReached recoverToTarget(DataVolume volume, PostgresServer server, BackupLocation location, PitrResolution resolution,
      PitrTarget target) {
    if (!writesItself(volume, VolumeJobSpec.RECOVER)) {
      // the pod shares the volume with the recovering server: on its node, whatever kind of volume it is
      VolumeJobs pods = inPod(volume);
      String node = pods.nodeOf(server.namespace(), server.pod());
      return pods.run(new VolumeJobSpec(VolumeJobSpec.RECOVER, volume, location, resolution, target, null, server), node,
          RecoveryReached.class);
    }
    Path dataDir = Path.of(volume.path());
    try {
      VolumeOwner owner = VolumeOwner.of(dataDir);
      WalSpool spool = new WalSpool(dataDir, owner);
      RecoveryReached reached;
      try (ServerProbe probe = new ServerProbe(server, credentials.forServer(server))) {
        if (!Files.exists(spool.dir())) {
          // an earlier attempt saw the promotion and cleaned up: read where the server ended
          reached = probe.finished();
        } else {
          reached = new RecoveryFeed(s3.forLocation(location), location, resolution, dataDir, spool, heartbeat, restartPatience)
              .run(probe::view);
        }
        probe.resetRecoverySettings();
      }
      spool.remove();
      return reached;
    } catch (IOException e) {
      throw ApplicationFailure.newFailure("following the recovery on " + dataDir + ": " + e, FailureTypes.RESTORE_FAILED);
    }
  }

  /**
   * Whether this worker does the step on the volume itself: it reaches the volume's directory (the
   * lab's data directories; a hostPath or local volume on the worker's node), and no earlier attempt
   * (on a worker that did not reach it) left a Job for the step, whose pod may still be writing.
   * Otherwise a pod mounting the claim does the step.
   */
  private boolean writesItself(DataVolume volume, String step) {
    boolean reachable = volume.path() != null && Files.isDirectory(Path.of(volume.path()));
    return reachable && (jobs == null || !jobs.anyFor(volume, step));
  }

  private VolumeJobs inPod(DataVolume volume) {
    if (jobs == null) {
      throw ApplicationFailure.newNonRetryableFailure("claim " + volume.claim() + " is not reachable here"
          + (volume.path() == null ? "" : " (no directory " + volume.path() + ")") + " and no pod can be started for it",
          FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    return jobs;
  }

  /** One connection to the recovering server, opened again whenever it was lost. */
  private static final class ServerProbe implements AutoCloseable {
    private final PostgresServer server;
    private final Credentials credentials;
    private final PostgresConnector connector = PostgresConnector.forShortCalls();
    private Connection connection;

    ServerProbe(PostgresServer server, Credentials credentials) {
      this.server = server;
      this.credentials = credentials;
    }

    RecoveryFeed.ServerView view() {
      try {
        if (connection == null || connection.isClosed()) {
          connection = connector.open(server, "postgres", credentials);
        }
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                 + " pg_last_xact_replay_timestamp(), CASE WHEN pg_is_in_recovery() THEN 0"
                 + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END")) {
          row.next();
          Timestamp commit = row.getTimestamp(3);
          return new RecoveryFeed.ServerView(true, row.getBoolean(1), row.getString(2), commit == null ? null : commit.toInstant(),
              row.getInt(4), null);
        }
      } catch (SQLException e) {
        close();
        return new RecoveryFeed.ServerView(false, true, null, null, 0, e.getMessage());
      }
    }

    RecoveryReached finished() {
      RecoveryFeed.ServerView view = view();
      if (!view.answers() || view.inRecovery()) {
        throw ApplicationFailure.newFailure("the WAL spool is gone but " + server.pod() + " is "
            + (view.answers() ? "still in recovery" : "not answering (" + view.error() + ")"), FailureTypes.SERVER_UNREACHABLE);
      }
      return new RecoveryReached(view.timeline(), view.replayedLsn(), view.lastCommit(), 0, 0, 0, 0, 0, 0);
    }

    /** Drops pgdr's recovery settings from postgresql.auto.conf; a role that may not (not superuser) leaves them, said in the log. */
    void resetRecoverySettings() {
      List<String> failed = new ArrayList<>();
      try {
        if (connection == null || connection.isClosed()) {
          connection = connector.open(server, "postgres", credentials);
        }
        try (Statement statement = connection.createStatement()) {
          for (String name : RecoverySettings.NAMES) {
            statement.execute("ALTER SYSTEM RESET " + name);
          }
          statement.execute("SELECT pg_reload_conf()");
        }
      } catch (SQLException e) {
        failed.add(e.getMessage());
      }
      if (!failed.isEmpty()) {
        log.warn("recovery settings left in postgresql.auto.conf of {} (inert once promoted): {}", server.pod(), failed);
      }
    }

    @Override
    public void close() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // a lost connection is closed already
        }
        connection = null;
      }
    }
  }
}
