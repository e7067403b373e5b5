package io.pgdr.lab;

import io.pgdr.target.BackupLocation;
import io.pgdr.target.ConfigMapRef;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.DrillSettings;
import io.pgdr.target.Objectives;
import io.pgdr.target.PatroniAccess;
import io.pgdr.target.PostgresAccess;
import io.pgdr.target.SecretRef;
import io.pgdr.target.Verification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The target file of the lab's database: the runbook's names, plus endpoint overrides that send
 * pgdr to the real servers, since the pods' IPs exist only in the mock API, and to the Service
 * proxy for what goes through the Service.
 */
final class LabTarget {

  static final String NAME = "fabrica-db";
  /** Runbook 000's bucket and prefix. */
  static final String BACKUP_BUCKET = "fabrica-agentes-backups";
  static final String BACKUP_PREFIX = "db/";

  private LabTarget() {}

  /**
   * @param s3Endpoint the lab's S3 store, which asks for no credentials
   * @param serviceEndpoint the lab's Service proxy, where clients of the Service connect
   */
  static DatabaseTarget of(PostgresPair pair, String s3Endpoint, String serviceEndpoint) {
    Map<String, String> endpoints = new TreeMap<>();
    endpoints.put(KubernetesFixture.SERVICE, serviceEndpoint);
    for (PostgresNode node : pair.nodes()) {
      endpoints.put(node.name(), node.host() + ":" + node.port());
    }
    return target(endpoints, s3Endpoint, null);
  }

  /** The Patroni lab's target: the same database, and Patroni's REST API per member, which says it is Patroni-managed. */
  static DatabaseTarget ofPatroni(PatroniCluster cluster, String s3Endpoint, String serviceEndpoint) {
    Map<String, String> endpoints = new TreeMap<>();
    endpoints.put(KubernetesFixture.SERVICE, serviceEndpoint);
    cluster.members().values().forEach(m -> endpoints.put(m.name(), "127.0.0.1:" + m.postgresPort()));
    return target(endpoints, s3Endpoint, new PatroniAccess(null, cluster.restEndpoints(), null));
  }

  private static DatabaseTarget target(Map<String, String> endpoints, String s3Endpoint, PatroniAccess patroni) {
    return new DatabaseTarget(
        NAME,
        KubernetesFixture.NAMESPACE,
        KubernetesFixture.STATEFUL_SET,
        KubernetesFixture.SERVICE,
        List.of(KubernetesFixture.API_DEPLOYMENT, KubernetesFixture.WORKERS_DEPLOYMENT),
        new ConfigMapRef(KubernetesFixture.CONFIG_MAP, KubernetesFixture.CONFIG_MAP_KEY,
            "{pod}." + KubernetesFixture.SERVICE),
        // the port of a pod without an endpoint of its own (a drill's scratch server): one free on loopback when the lab started
        new PostgresAccess(PostgresPair.DATABASE, PostgresPair.freePort(), SecretRef.kubernetesSecret(KubernetesFixture.SECRET), endpoints),
        new Objectives(Duration.ofHours(1), Duration.ofHours(1)),
        null,
        new Verification(List.of("stories")),
        null,
        new BackupLocation(BACKUP_BUCKET, BACKUP_PREFIX, s3Endpoint, null, null, null, null), patroni, null, null,
        // quick, and what bench/drill's 200 drills need; drill.scratch: statefulset rehearses in a scratch StatefulSet the lab runs
        DrillSettings.SCRATCH_DATABASE);
  }
}
