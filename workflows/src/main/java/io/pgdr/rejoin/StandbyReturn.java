package io.pgdr.rejoin;

import io.pgdr.ports.DataVolume;
import io.pgdr.ports.Divergence;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.RejoinResult;
import io.pgdr.ports.StandbyStreaming;
import io.pgdr.run.Ports;
import io.pgdr.run.StopRun;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;

/**
 * The calls that bring one stale server back as a streaming standby of the primary, each with what
 * the timeline says of it: the rejoin takes them as steps of its own, a switchover drill as one.
 */
public final class StandbyReturn {

  private final DatabaseTarget target;
  private final PostgresServer primary;
  private final Timeline timeline;

  public StandbyReturn(DatabaseTarget target, PostgresServer primary, Timeline timeline) {
    this.target = target;
    this.primary = primary;
    this.timeline = timeline;
  }

  /** The pod held stopped (its pod deleted if it ran): its data volume. */
  public DataVolume hold(String pod) {
    DataVolume volume = Ports.kubernetes("hold " + pod + " stopped").holdPod(target, pod, Workflow.getInfo().getRunId());
    timeline.note(pod + " held stopped; its data: claim " + volume.claim() + ", volume " + volume.describe()
        + (volume.path() == null ? "" : " at " + volume.path()));
    return volume;
  }

  public Divergence findDivergence(PostgresServer stale, DataVolume volume) {
    Divergence found = Ports.rejoin("find where " + stale.pod() + " parted from " + primary.pod()).inspectDivergence(volume, stale, primary);
    timeline.note(stale.pod() + ": " + (found.rewindRefusal() == null ? found.way() : found.way() + " (pg_rewind cannot: "
        + found.rewindRefusal() + ")") + "; " + found.discarded());
    return found;
  }

  public RejoinResult rejoin(PostgresServer stale, DataVolume volume, Divergence divergence) {
    RejoinResult done = Ports.rejoin("make " + stale.pod() + " a standby of " + primary.pod())
        .rejoinAsStandby(volume, stale, primary, target.replicationEndpoint(), divergence, Workflow.getInfo().getRunId());
    timeline.note(stale.pod() + ": " + done.way() + ", replication from " + done.replicationFrom()
        + (done.keptDirectory() == null ? "" : "; the data directory before is kept in " + done.keptDirectory())
        + (done.note() == null ? "" : "; " + done.note()));
    return done;
  }

  public void start(String pod) {
    Ports.kubernetes("let " + pod + " start").releasePod(target, pod);
  }

  /** Waits for the pod in the primary's pg_stat_replication; one that does not stream stops the run. */
  public StandbyStreaming awaitStreaming(String pod) {
    StandbyStreaming seen;
    try {
      seen = Ports.rejoin("wait for " + pod + " to stream from " + primary.pod()).awaitStreaming(primary, pod);
    } catch (ActivityFailure e) {
      throw new StopRun(pod + " was made a standby of " + primary.pod() + " and started, but does not stream: "
          + Timeline.rootMessage(e) + ". Its pod's log says why (pgdr status shows where its data directory is kept)");
    }
    timeline.note(pod + " " + seen.state() + " from " + primary.pod() + ", replayed " + seen.replayLsn() + ", " + seen.lagBytes()
        + " bytes behind");
    return seen;
  }

  public void unfence(String pod) {
    Ports.kubernetes("lift the fence of " + pod).unfencePod(target, pod);
  }

  /** All of it for one pod, in order: for a run that takes the return as one step. */
  public RejoinOutcome.Rejoined bringBack(PostgresServer stale, String why) {
    DataVolume volume = hold(stale.pod());
    Divergence divergence = findDivergence(stale, volume);
    RejoinResult done = rejoin(stale, volume, divergence);
    start(stale.pod());
    StandbyStreaming streaming = awaitStreaming(stale.pod());
    unfence(stale.pod());
    return new RejoinOutcome.Rejoined(stale.pod(), why, divergence, done, streaming);
  }
}
