package io.pgdr.activities.rejoin;

import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RejoinResult;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a stopped stale data directory a standby of the new primary, one recorded step after another
 * ({@link RejoinState}): the server's own configuration saved beside it; pg_rewind, or a fresh copy when
 * a rewind cannot be done, failed, or was begun by an earlier attempt (a half-rewound directory is never
 * trusted); the standby settings; done. A retry takes up at the step the state names.
 */
final class StandbyRejoin {

  private static final Logger log = LoggerFactory.getLogger(StandbyRejoin.class);
  /** pg_rewind copies the blocks changed since the fork, and every file that is not a relation: minutes to hours. */
  static final Duration REWIND_CAP = Duration.ofHours(6);
  private static final String UNFINISHED_REWIND = "an earlier attempt began pg_rewind and did not finish";
  private static final String FAILED_REWIND = "pg_rewind failed";

  private final RejoinPaths paths;
  private final PostgresServer stale;
  private final PostgresServer primary;
  private final StreamSource streamFrom;
  private final ClientPrograms programs;
  private final ChildProgram child;
  private final Credentials credentials;

  StandbyRejoin(RejoinPaths paths, PostgresServer stale, PostgresServer primary, StreamSource streamFrom, ClientPrograms programs,
      ChildProgram child, Credentials credentials) {
    this.paths = paths;
    this.stale = stale;
    this.primary = primary;
    this.streamFrom = streamFrom;
    this.programs = programs;
    this.child = child;
    this.credentials = credentials;
  }

  /** A rejoin this run finished, of a directory still set to follow this primary: its recorded result, and nothing changes. */
  static Optional<RejoinResult> alreadyDone(RejoinPaths paths, StreamSource streamFrom) throws IOException {
    Optional<RejoinState> state = RejoinState.read(paths.stateFile());
    if (state.isPresent() && state.get().done() && StandbySettings.standbyOf(paths.dataDirectory(), streamFrom)) {
      return Optional.of(state.get().result());
    }
    return Optional.empty();
  }

  RejoinResult rejoin(Divergence divergence) throws IOException {
    Path dir = paths.dataDirectory();
    Optional<RejoinState> recorded = RejoinState.read(paths.stateFile());
    boolean betweenRenames = recorded.map(s -> RejoinState.COPIED.equals(s.phase())).orElse(false) && !Files.exists(dir);
    DataDirectoryOwner owner = DataDirectoryOwner.of(betweenRenames ? paths.keptDirectory() : dir);
    StaleDataDirectory data = new StaleDataDirectory(dir, owner, stale, programs, child);
    if (!betweenRenames) {
      if (recorded.isEmpty()) {
        data.requireCluster();
      }
      data.requireStopped();
    }
    RejoinState state;
    SavedConfiguration saved;
    if (recorded.isEmpty()) {
      if (!List.of(Divergence.FOLLOWS, Divergence.REWIND, Divergence.FRESH_COPY).contains(divergence.way())) {
        throw ApplicationFailure.newNonRetryableFailure("no way to rejoin " + stale.pod() + " is named (" + divergence.way() + "): "
            + Divergence.FOLLOWS + ", " + Divergence.REWIND + " or " + Divergence.FRESH_COPY, FailureTypes.REJOIN_FAILED);
      }
      saved = SavedConfiguration.of(dir);
      saved.saveTo(paths.savedConfiguration(), owner);
      List<Path> cutShort = paths.unfinishedElsewhere();
      String way = cutShort.isEmpty() ? divergence.way() : Divergence.FRESH_COPY;
      String note = !cutShort.isEmpty() ? "an earlier run's rejoin of this directory was cut short (" + cutShort.get(0).getFileName()
          + "): a half-rewound directory is not trusted, so it was copied afresh"
          : Divergence.FRESH_COPY.equals(divergence.way()) ? "pg_rewind cannot be used (" + divergence.rewindRefusal() + "): copied afresh"
          : null;
      state = new RejoinState(RejoinState.SAVED, way, primary.address(), null, null, note).write(paths.stateFile());
    } else {
      state = recorded.get();
      Optional<SavedConfiguration> copies = SavedConfiguration.readFrom(paths.savedConfiguration());
      if (copies.isEmpty()) {
        // only a finished rejoin removes them: the directory's own files are the server's (set by that rejoin) again
        log.warn("{}: no saved configuration beside {} (state {}): its files as they are now are taken as its own", stale.pod(), dir,
            state.phase());
      }
      saved = copies.isPresent() ? copies.get() : SavedConfiguration.of(betweenRenames ? paths.keptDirectory() : dir);
      log.info("{}: an earlier attempt of this run left the rejoin at '{}' ({})", stale.pod(), state.phase(), state.way());
    }

    if (RejoinState.REWINDING.equals(state.phase())) {
      state = state.taking(Divergence.FRESH_COPY, UNFINISHED_REWIND + ": a half-rewound directory is"
          + " not trusted, so it was copied afresh").in(RejoinState.COPYING).write(paths.stateFile());
    }
    if (RejoinState.SAVED.equals(state.phase()) && Divergence.REWIND.equals(state.way())) {
      state = rewind(data, state);
    }
    FreshCopy fresh = new FreshCopy(paths, owner, stale, programs, child);
    String kept = null;
    if (Divergence.FRESH_COPY.equals(state.way()) && !RejoinState.DONE.equals(state.phase())) {
      if (!RejoinState.COPIED.equals(state.phase())) {
        state = state.in(RejoinState.COPYING).write(paths.stateFile());
        fresh.copyFrom(primary, credentials, asFound(state));
        state = state.in(RejoinState.COPIED).write(paths.stateFile());
      }
      kept = fresh.swap().toString();
    } else if (state.keptDirectory() != null) {
      kept = state.keptDirectory();
    }

    StandbySettings.Replication replication;
    try (NewPrimary source = new NewPrimary(primary, credentials)) {
      replication = StandbySettings.choose(saved.ownPrimaryConninfo(), source::primaryConninfo, credentials, primary, streamFrom, stale.pod());
    }
    StandbySettings.write(dir, owner, saved, replication.conninfo());
    state = state.finished(kept, replication.from()).write(paths.stateFile());
    SavedConfiguration.remove(paths.savedConfiguration());
    log.info("{} is set to stream from {} ({}; replication settings from {}){}", stale.pod(), primary.pod(), state.way(),
        replication.from(), kept == null ? "" : "; the data directory before is kept at " + kept);
    return state.result();
  }

  /** pg_rewind; when it fails for anything but reaching the primary, a fresh copy follows (the state says so). */
  private RejoinState rewind(StaleDataDirectory data, RejoinState saved) throws IOException {
    try (NewPrimary source = new NewPrimary(primary, credentials)) {
      source.checkpointSincePromotion();
    }
    RejoinState rewinding = saved.in(RejoinState.REWINDING).write(paths.stateFile());
    RewindReport report = data.rewindFrom(primary, credentials, false, REWIND_CAP);
    if (report.succeeded()) {
      return rewinding.taking(Divergence.REWIND, report.noRewindRequired() ? "pg_rewind found nothing to rewind" : saved.note())
          .in(RejoinState.REWOUND).write(paths.stateFile());
    }
    if (!report.connected() && (report.sourceUnreachable() || report.credentialsRefused())) {
      // it stopped before it looked at the target: the directory is as it was, and a retry may rewind it
      saved.write(paths.stateFile());
      DivergenceInspection.failIfUnreachable(report, stale, primary);
    }
    log.warn("{}: pg_rewind failed ({}): copying afresh instead", stale.pod(), report.error());
    return rewinding.taking(Divergence.FRESH_COPY, FAILED_REWIND + " (" + report.error() + "): copied afresh instead")
        .in(RejoinState.COPYING).write(paths.stateFile());
  }

  /** Where the stale server's data is while no copy is in place, for the failure that says so. */
  private String asFound(RejoinState state) {
    String where = "the data directory of " + stale.pod() + " is at " + paths.dataDirectory();
    boolean rewindBegun = state.note() != null && (state.note().startsWith(UNFINISHED_REWIND) || state.note().startsWith(FAILED_REWIND));
    return rewindBegun
        ? where + ", after a pg_rewind that did not finish: do not start it as it is"
        : where + " as pgdr found it";
  }

  static ApplicationFailure unusable(Path dir, IOException e) {
    return ApplicationFailure.newNonRetryableFailure("rejoining " + dir + ": " + e, FailureTypes.DATA_VOLUME_UNUSABLE);
  }
}
