package io.pgdr.run;

import io.pgdr.ports.ClusterState;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ServerState;
import io.pgdr.target.DatabaseTarget;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Diagnosis every scenario starts with (runbook 000 §2): the StatefulSet, its pods and the
 * Service from Kubernetes, then every pod's server asked at once (read-only and independent, so a
 * dead one costs no more than a live one). What was found is noted on the current step.
 *
 * @param servers each pod's server, in the StatefulSet's order
 * @param states what each server answered, in the same order
 */
public record ClusterDiagnosis(ClusterState cluster, Map<String, PostgresServer> servers, List<ServerState> states) {

  public static ClusterDiagnosis run(DatabaseTarget target, Timeline timeline) {
    ClusterState cluster = Ports.kubernetes("describe StatefulSet " + target.statefulSet() + ", its pods and Service "
        + target.service()).describeCluster(target);
    Map<String, PostgresServer> byPod = new LinkedHashMap<>();
    for (PodState pod : cluster.pods()) {
      byPod.putIfAbsent(pod.name(), serverOf(target, pod));
    }
    List<Promise<ServerState>> inspections = byPod.values().stream()
        .map(server -> Async.function(Ports.postgres("inspect " + server.pod())::inspectServer, server)).toList();
    Promise.allOf(inspections).get();
    List<ServerState> seen = inspections.stream().map(Promise::get).toList();
    timeline.note("StatefulSet " + cluster.readyReplicas() + "/" + cluster.desiredReplicas() + " ready; Service -> "
        + (cluster.servicePod() != null ? cluster.servicePod() : "pods labelled " + cluster.serviceSelector()));
    for (ServerState s : seen) {
      timeline.note(s.pod() + ": " + (!s.reachable() ? "unreachable (" + s.error() + ")"
          : s.inRecovery() ? "standby, replay " + s.replayLsn() : "primary at " + s.currentLsn()));
    }
    return new ClusterDiagnosis(cluster, byPod, seen);
  }

  /** Pods pgdr fenced: never candidates, never primaries again. */
  public List<String> fencedPods() {
    return cluster.pods().stream().filter(PodState::fenced).map(PodState::name).toList();
  }

  /**
   * The server taking writes now: the one the Service selects if it answers as a primary, else
   * any reachable server out of recovery that is not fenced.
   */
  public Optional<ServerState> livePrimary() {
    List<String> fenced = fencedPods();
    return states.stream()
        .filter(s -> s.reachable() && !s.inRecovery() && !fenced.contains(s.pod()))
        .sorted((a, b) -> Boolean.compare(b.pod().equals(cluster.servicePod()), a.pod().equals(cluster.servicePod())))
        .findFirst();
  }

  /** How pgdr reaches a pod's server: the pod's endpoint, the target's database and credentials. */
  public static PostgresServer serverOf(DatabaseTarget target, PodState pod) {
    return new PostgresServer(pod.name(), pod.host(), pod.port(), target.postgres().database(), target.namespace(), target.postgres().credentials());
  }
}
