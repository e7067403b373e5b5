package io.pgdr.activities.rejoin;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RejoinActivities;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.StandbyStreaming;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The rejoin port on a worker that reaches the stale server's data volume (a hostPath or local volume on
 * its node; the lab's data directories). The password of the primary's credentials reaches the
 * PostgreSQL programs in their environment only, and is written only into the standby's
 * postgresql.auto.conf when it is the replication settings' source.
 */
public final class RejoinActivitiesImpl implements RejoinActivities {

  /** How long a started standby may take to connect and stream before the call fails (and is retried). */
  static final Duration STREAMING_PATIENCE = Duration.ofMinutes(5);

  private final CredentialResolver credentials;
  private final ClientPrograms programs;
  private final Consumer<Object> heartbeat;
  private final Duration streamingPatience;

  public RejoinActivitiesImpl(CredentialResolver credentials) {
    this(credentials, ClientPrograms.locate(), new ActivityHeartbeat(), STREAMING_PATIENCE);
  }

  RejoinActivitiesImpl(CredentialResolver credentials, ClientPrograms programs, Consumer<Object> heartbeat, Duration streamingPatience) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.programs = programs;
    this.heartbeat = heartbeat;
    this.streamingPatience = streamingPatience;
  }

  @Override
  public Divergence inspectDivergence(DataVolume volume, PostgresServer stale, PostgresServer primary) {
    Path dir = StaleDataDirectory.on(volume, stale, false);
    Credentials resolved = credentials.forServer(primary);
    ChildProgram child = new ChildProgram(heartbeat, List.of(resolved.password()));
    try {
      StaleDataDirectory data = new StaleDataDirectory(dir, DataDirectoryOwner.of(dir), stale, programs, child);
      return new DivergenceInspection(data, stale, primary, resolved).inspect();
    } catch (ChildProgram.TimedOut e) {
      throw slow(e);
    } catch (IOException e) {
      throw StandbyRejoin.unusable(dir, e);
    }
  }

  @Override
  public RejoinResult rejoinAsStandby(DataVolume volume, PostgresServer stale, PostgresServer primary, String streamFrom,
      Divergence divergence, String runId) {
    StreamSource source = StreamSource.parse(streamFrom);
    Path given = StaleDataDirectory.on(volume, stale, true);
    RejoinPaths paths = RejoinPaths.of(given, runId);
    try {
      Optional<RejoinResult> done = StandbyRejoin.alreadyDone(paths, source);
      if (done.isPresent()) {
        return done.get();
      }
      // between a fresh copy's two renames the directory is briefly gone, its kept predecessor beside it
      StaleDataDirectory.on(volume, stale, Files.isDirectory(paths.keptDirectory()));
      Credentials resolved = credentials.forServer(primary);
      ChildProgram child = new ChildProgram(heartbeat, List.of(resolved.password()));
      return new StandbyRejoin(paths, stale, primary, source, programs, child, resolved).rejoin(divergence);
    } catch (ChildProgram.TimedOut e) {
      throw slow(e);
    } catch (IOException e) {
      throw StandbyRejoin.unusable(paths.dataDirectory(), e);
    }
  }

  @Override
  public StandbyStreaming awaitStreaming(PostgresServer primary, String pod) {
    return new StreamingWait(primary, credentials.forServer(primary), heartbeat, streamingPatience).await(pod);
  }

  /** A program past its cap: retried (a rewind it cut short is never trusted: the retry copies afresh), never a bad volume. */
  private static ApplicationFailure slow(ChildProgram.TimedOut e) {
    return ApplicationFailure.newFailure(e.getMessage(), FailureTypes.INTERRUPTED);
  }

}
