package io.pgdr.activities.readiness;

import io.pgdr.activities.backup.BackupActivitiesImpl;
import io.pgdr.activities.backup.PhysicalArchiveReader;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.PostgresActivitiesImpl;
import io.pgdr.activities.postgres.ServerSettings;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.ReadinessReport.Item;
import io.pgdr.ports.ReplicationPeer;
import io.pgdr.ports.ServerState;
import io.pgdr.run.ClusterDiagnosis;
import io.pgdr.run.Lsn;
import io.pgdr.run.Timeline;
import io.pgdr.target.DatabaseTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The readiness check, one place for the CLI ({@code pgdr check}) and the drill (its first step):
 * reads only, and turns what it cannot read into a failed item with the reason.
 */
public final class ReadinessCheck {

  private final KubernetesActivities cluster;
  private final AccessReview access;
  private final CredentialResolver credentials;
  private final S3Clients s3;

  /** @param cluster the worker's Kubernetes adapter, which reads the StatefulSet and its pods */
  public ReadinessCheck(KubernetesActivities cluster, AccessReview access, CredentialResolver credentials, S3Clients s3) {
    this.cluster = cluster;
    this.access = access;
    this.credentials = credentials;
    this.s3 = s3;
  }

  public ReadinessReport check(DatabaseTarget target) {
    Instant now = Instant.now();
    List<Item> items = new ArrayList<>();
    ClusterState cluster = attempt(items, "statefulset", () -> this.cluster.describeCluster(target));
    if (cluster != null) {
      items.add(cluster.readyReplicas() >= cluster.desiredReplicas() && cluster.desiredReplicas() > 0
          ? pass("statefulset", target.statefulSet() + " " + cluster.readyReplicas() + "/" + cluster.desiredReplicas() + " ready")
          : new Item("statefulset", cluster.readyReplicas() == 0 ? ReadinessReport.FAIL : ReadinessReport.WARN,
              target.statefulSet() + " " + cluster.readyReplicas() + "/" + cluster.desiredReplicas() + " ready",
              "look at the pods' events: kubectl describe pod -n " + target.namespace()));
      servers(target, cluster, now, items);
    }
    if (target.backups() != null) {
      backups(target, now, items);
    } else {
      items.add(new Item("backups", ReadinessReport.WARN, "the target names no backups", "add backups: {bucket, prefix} (docs/target.md)"));
    }
    items.addAll(access.review(target));
    return new ReadinessReport(target.name(), now, items);
  }

  private void servers(DatabaseTarget target, ClusterState cluster, Instant now, List<Item> items) {
    Map<String, ServerState> states = new LinkedHashMap<>();
    Map<String, PostgresServer> servers = new LinkedHashMap<>();
    PostgresActivitiesImpl postgres = new PostgresActivitiesImpl(credentials);
    for (PodState pod : cluster.pods()) {
      PostgresServer server = ClusterDiagnosis.serverOf(target, pod);
      servers.put(pod.name(), server);
      ServerState state = attempt(items, "server " + pod.name(), () -> postgres.inspectServer(server));
      if (state != null) {
        states.put(pod.name(), state);
      }
    }
    List<ServerState> primaries = states.values().stream().filter(s -> s.reachable() && !s.inRecovery()).toList();
    if (primaries.size() != 1) {
      items.add(new Item("primary", ReadinessReport.FAIL, primaries.isEmpty() ? "no server answers as the primary"
          : "more than one server answers as a primary: " + primaries.stream().map(ServerState::pod).toList(),
          primaries.isEmpty() ? "recover it first: pgdr incident start --target FILE" : "fence all but one (split brain), then recover"));
      return;
    }
    ServerState primary = primaries.get(0);
    items.add(pass("primary", primary.pod() + " answers as the primary (server " + primary.serverVersion() + ")"));
    replication(target, primary, states, now, items);
    Map<String, String> settings = attempt(items, "settings", () -> ServerSettings.read(credentials, servers.get(primary.pod()), RecommendedSettings.NAMES));
    if (settings != null) {
      items.addAll(RecommendedSettings.judge(settings));
    }
  }

  /** Each standby streaming from the primary, its lag in time against the RPO. */
  private static void replication(DatabaseTarget target, ServerState primary, Map<String, ServerState> states, Instant now, List<Item> items) {
    List<ServerState> standbys = states.values().stream().filter(s -> !s.pod().equals(primary.pod())).toList();
    if (standbys.isEmpty()) {
      items.add(new Item("replication", ReadinessReport.WARN, "no standby: a failover has no candidate, only a restore is left",
          "scale " + target.statefulSet() + " to 2 or more"));
    }
    Duration rpo = target.objectives().rpo();
    for (ServerState standby : standbys) {
      String check = "replication to " + standby.pod();
      if (!standby.reachable() || !standby.inRecovery()) {
        items.add(new Item(check, ReadinessReport.FAIL, standby.reachable() ? "it answers as a primary too" : "it does not answer: " + standby.error(),
            "bring it back as a standby of " + primary.pod()));
        continue;
      }
      boolean streaming = primary.replication().stream().map(ReplicationPeer::state).anyMatch("streaming"::equals)
          && primary.replication().size() >= standbys.size();
      long behind = primary.currentLsn() == null || standby.replayLsn() == null ? -1
          : Math.max(0, Lsn.parse(primary.currentLsn()) - Lsn.parse(standby.replayLsn()));
      // caught up: no lag, however long ago its last transaction; behind: the age of what it replayed last
      double lagSeconds = behind == 0 ? 0 : standby.lastReplayAt() == null ? Double.MAX_VALUE
          : Duration.between(standby.lastReplayAt(), now).toMillis() / 1000.0;
      String detail = (streaming ? "streaming" : "NOT streaming (pg_stat_replication on " + primary.pod() + ": " + primary.replication() + ")")
          + ", " + (behind < 0 ? "position unknown" : behind + " bytes behind")
          + (behind > 0 ? String.format(", last replayed %.0f s ago", lagSeconds) : "");
      if (!streaming) {
        items.add(new Item(check, ReadinessReport.FAIL, detail, "check primary_conninfo on " + standby.pod() + " and its log"));
      } else if (lagSeconds > rpo.toSeconds()) {
        items.add(new Item(check, ReadinessReport.WARN, detail + ", more than the RPO of " + rpo,
            "a failover now would lose more than the RPO: look at the standby's I/O and the network"));
      } else {
        items.add(pass(check, detail + ", within the RPO of " + rpo));
      }
    }
  }

  private void backups(DatabaseTarget target, Instant now, List<Item> items) {
    Duration rpo = target.objectives().rpo();
    BackupCatalog catalog = attempt(items, "backups", () -> new BackupActivitiesImpl(credentials, s3).listBackups(target.backups()));
    if (catalog != null) {
      BackupEntry newest = catalog.latestValid().orElse(null);
      if (newest == null) {
        items.add(new Item("backups", ReadinessReport.FAIL, "no valid backup under " + catalog.location(),
            "take one: pgdr backup run --target FILE, and schedule them"));
      } else {
        double age = Duration.between(newest.dataAsOf(), now).toSeconds();
        String detail = "newest valid " + newest.key() + String.format(", %.0f s old", age);
        items.add(age > rpo.toSeconds()
            ? new Item("backups", ReadinessReport.WARN, detail + ", older than the RPO of " + rpo,
                "a restore now would lose more than the RPO: back up at least every " + rpo)
            : pass("backups", detail + ", within the RPO of " + rpo));
      }
    }
    RecoverableWindow archive = attempt(items, "wal archive", () -> new PhysicalArchiveReader(s3).read(target.backups()));
    if (archive != null) {
      items.add(WalContinuity.judge(archive, target.backups().url(), rpo, now));
    }
  }

  /** Runs one read; one that fails is a failed item with its reason, and the check goes on. */
  private static <T> T attempt(List<Item> items, String check, Supplier<T> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      items.add(new Item(check, ReadinessReport.FAIL, "could not be read: " + Timeline.rootMessage(e), "see the message; pgdr check -v for more"));
      return null;
    }
  }

  static Item pass(String check, String detail) {
    return new Item(check, ReadinessReport.PASS, detail, null);
  }
}
