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
    // a server pgdr fenced (read-only, not in recovery) is an old primary a recovery left: not a second primary
    List<ServerState> primaries = states.values().stream().filter(s -> s.reachable() && !s.inRecovery() && !s.readOnly()).toList();
    if (primaries.size() != 1) {
      items.add(new Item("primary", ReadinessReport.FAIL, primaries.isEmpty() ? "no server answers as the primary"
          : "more than one server answers as a primary: " + primaries.stream().map(ServerState::pod).toList(),
          primaries.isEmpty() ? "recover it first: pgdr incident start --target FILE" : "fence all but one (split brain), then recover"));
      return;
    }
    ServerState primary = primaries.get(0);
    items.add(pass("primary", primary.pod() + " answers as the primary (server " + primary.serverVersion() + ")"));
    Map<String, String> hosts = new LinkedHashMap<>();
    cluster.pods().forEach(pod -> hosts.put(pod.name(), pod.host()));
    replication(target, primary, states, hosts, items);
    Map<String, String> settings = attempt(items, "settings", () -> ServerSettings.read(credentials, servers.get(primary.pod()), RecommendedSettings.NAMES));
    if (settings != null) {
      items.addAll(RecommendedSettings.judge(settings));
    }
  }

  /**
   * Each standby streaming from the primary, its lag against the RPO. Both positions come from the
   * primary's own row for the standby in pg_stat_replication (one snapshot): caught up is no lag,
   * however old its last transaction; behind, the lag is at most the age of what it replayed last.
   */
  private static void replication(DatabaseTarget target, ServerState primary, Map<String, ServerState> states, Map<String, String> hosts,
      List<Item> items) {
    List<ServerState> standbys = states.values().stream().filter(s -> !s.pod().equals(primary.pod())).toList();
    if (standbys.isEmpty()) {
      items.add(new Item("replication", ReadinessReport.WARN, "no standby: a failover has no candidate, only a restore is left",
          "scale " + target.statefulSet() + " to 2 or more"));
    }
    Duration rpo = target.objectives().rpo();
    for (ServerState standby : standbys) {
      String check = "replication to " + standby.pod();
      if (!standby.reachable() || !standby.inRecovery()) {
        items.add(new Item(check, ReadinessReport.FAIL, standby.reachable()
            ? "it answers as a primary too" + (standby.readOnly() ? " (fenced: read-only)" : "") : "it does not answer: " + standby.error(),
            "bring it back as a standby of " + primary.pod()));
        continue;
      }
      ReplicationPeer row = rowOf(standby, primary.replication(), hosts.get(standby.pod()), standbys.size());
      if (row == null || !"streaming".equals(row.state())) {
        items.add(new Item(check, ReadinessReport.FAIL, row == null ? "no row for it in pg_stat_replication on " + primary.pod()
            + " (" + primary.replication().size() + " rows): it does not stream from the primary" : "its sender is " + row.state() + ", not streaming",
            "check primary_conninfo on " + standby.pod() + " and its log"));
        continue;
      }
      long behind = row.sentLsn() == null || row.replayLsn() == null ? 0 : Math.max(0, Lsn.parse(row.sentLsn()) - Lsn.parse(row.replayLsn()));
      Instant lastReplay = standby.lastReplayAt();
      String detail = "streaming, " + behind + " bytes behind what the primary sent"
          + (behind > 0 && lastReplay != null ? ", its last replayed transaction " + Duration.between(lastReplay, Instant.now()).toSeconds()
              + " s old" : "");
      boolean late = behind > 0 && lastReplay != null && Duration.between(lastReplay, Instant.now()).compareTo(rpo) > 0;
      items.add(late ? new Item(check, ReadinessReport.WARN, detail + ", more than the RPO of " + rpo,
              "a failover now could lose more than the RPO: look at the standby's I/O and the network")
          : pass(check, detail + ", within the RPO of " + rpo));
    }
  }

  /** The primary's pg_stat_replication row of {@code standby}: by its name, else by its address, else the only one. */
  private static ReplicationPeer rowOf(ServerState standby, List<ReplicationPeer> rows, String host, int standbys) {
    for (ReplicationPeer row : rows) {
      if (standby.pod().equals(row.applicationName())) {
        return row;
      }
    }
    List<ReplicationPeer> byAddress = rows.stream().filter(r -> host != null && host.equals(r.clientAddr())).toList();
    if (byAddress.size() == 1) {
      return byAddress.get(0);
    }
    return rows.size() == 1 && standbys == 1 ? rows.get(0) : null;
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
