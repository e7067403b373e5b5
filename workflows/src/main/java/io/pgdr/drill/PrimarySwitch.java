package io.pgdr.drill;

import io.pgdr.ports.FenceResult;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.run.Ports;
import io.pgdr.run.StopRun;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;

/**
 * A planned switch of the primary without losing a byte: the old primary fenced (marked in the
 * StatefulSet, read-only, its sessions ended), the standby waited for until it replayed the old
 * primary's last WAL position, promoted, and the Service and ConfigMap pointed at it.
 */
final class PrimarySwitch {

  private final DatabaseTarget target;
  private final Timeline timeline;

  PrimarySwitch(DatabaseTarget target, Timeline timeline) {
    this.target = target;
    this.timeline = timeline;
  }

  SwitchMeasure run(PostgresServer from, PostgresServer to) {
    String runId = Workflow.getInfo().getRunId();
    // the mark and the SQL fence are independent; both are done before anything waits on the standby
    Promise<Void> mark = Async.procedure(Ports.kubernetes("fence " + from.pod() + ": mark it in the StatefulSet")::fencePod, target,
        from.pod(), runId);
    Promise<FenceResult> fence = Async.function(Ports.postgres("fence " + from.pod() + ": read-only, sessions ended")::fenceServer, from);
    Promise.allOf(mark, fence).get();
    if (!fence.get().reachable()) {
      throw new StopRun(from.pod() + " did not answer its fence: a switchover needs a live primary, and nothing was promoted");
    }
    ServerState fenced = Ports.postgres("read " + from.pod() + "'s last WAL position").inspectServer(from);
    if (!fenced.reachable() || fenced.currentLsn() == null) {
      throw new StopRun(from.pod() + " is fenced but does not answer as a primary (" + (fenced.reachable() ? "in recovery" : fenced.error())
          + "): nothing was promoted; " + from.pod() + " stays fenced");
    }
    String replayed = Ports.postgres("wait for " + to.pod() + " to replay up to " + fenced.currentLsn())
        .awaitReplayed(to, fenced.currentLsn());
    timeline.note(from.pod() + " read-only at " + fenced.currentLsn() + ", " + fence.get().terminatedSessions() + " sessions ended; "
        + to.pod() + " replayed " + replayed);
    Ports.postgres("promote " + to.pod()).promoteServer(to);
    Promise.allOf(
        Async.procedure(Ports.kubernetes("point Service " + target.service() + " at " + to.pod())::repointService, target, to.pod()),
        Async.procedure(Ports.kubernetes("point the ConfigMap at " + to.pod())::repointConfigMap, target, to.pod())).get();
    timeline.note(to.pod() + " promoted; Service " + target.service() + (target.configMap() == null ? "" : " and ConfigMap "
        + target.configMap().name()) + " -> " + to.pod());
    return new SwitchMeasure(from.pod(), to.pod(), fenced.currentLsn(), replayed, null);
  }
}
