package io.pgdr.target;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One database pgdr can recover: where it runs in Kubernetes, how to reach it, what to restart,
 * what "recovered" means and how fast it must be. Read from a YAML target file by the CLI and
 * accepted as JSON by the UI's start page. Carries references to credentials, never the secrets.
 *
 * @param name what people call the database; shown in runs, reports and search attributes
 * @param namespace Kubernetes namespace of the StatefulSet, Service and Deployments
 * @param statefulSet the PostgreSQL StatefulSet; its pods are the candidates
 * @param service the Service clients connect through; repointed to the new primary
 * @param deployments application Deployments restarted after a change (rollout restart)
 * @param configMap optional ConfigMap key holding the database host for the applications
 * @param postgres how pgdr reaches each pod's PostgreSQL server
 * @param objectives RTO and RPO
 * @param approval who may approve and how long a decision may take
 * @param verification queries that prove the data is whole after recovery
 * @param notifications where escalations go besides the log
 * @param backups where the database's backups live; needed by restore and backup commands only
 * @param patroni Patroni's REST API when Patroni manages the database; null when it does not
 * @param poolSize the ConfigMap key the applications read their pool size from; null when not given
 * @param owner who answers for this file (a team, a person); recorded beside a policy that approves
 *     for them ({@code approval.policies}); null when not given
 * @param drill where a restore rehearsal restores ({@link DrillSettings}); a temporary StatefulSet when not given
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DatabaseTarget(
    String name,
    String namespace,
    String statefulSet,
    String service,
    List<String> deployments,
    ConfigMapRef configMap,
    PostgresAccess postgres,
    Objectives objectives,
    ApprovalPolicy approval,
    Verification verification,
    Notify notifications,
    BackupLocation backups,
    PatroniAccess patroni,
    PoolSizeRef poolSize,
    String owner,
    DrillSettings drill) {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public DatabaseTarget {
    deployments = deployments == null ? List.of() : List.copyOf(deployments);
    objectives = objectives == null ? Objectives.DEFAULT : objectives;
    approval = approval == null ? ApprovalPolicy.DEFAULT : approval;
    verification = verification == null ? Verification.NONE : verification;
    notifications = notifications == null ? Notify.NONE : notifications;
    drill = drill == null ? DrillSettings.DEFAULT : drill;
  }

  /** A target with the default drill settings. */
  public DatabaseTarget(String name, String namespace, String statefulSet, String service, List<String> deployments,
      ConfigMapRef configMap, PostgresAccess postgres, Objectives objectives, ApprovalPolicy approval, Verification verification,
      Notify notifications, BackupLocation backups, PatroniAccess patroni, PoolSizeRef poolSize, String owner) {
    this(name, namespace, statefulSet, service, deployments, configMap, postgres, objectives, approval, verification, notifications,
        backups, patroni, poolSize, owner, null);
  }

  /** This target with other drill settings. */
  public DatabaseTarget withDrill(DrillSettings settings) {
    return new DatabaseTarget(name, namespace, statefulSet, service, deployments, configMap, postgres, objectives, approval, verification,
        notifications, backups, patroni, poolSize, owner, settings);
  }

  /** Every problem with this target, worded for the person who wrote the file; empty when usable. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    requireDnsLabel(problems, "name", name);
    requireDnsLabel(problems, "namespace", namespace);
    requireDnsLabel(problems, "statefulSet", statefulSet);
    requireDnsLabel(problems, "service", service);
    for (String deployment : deployments) {
      requireDnsLabel(problems, "deployments[]", deployment);
    }
    if (patroni != null) {
      problems.addAll(patroni.problems());
    }
    if (configMap != null) {
      problems.addAll(configMap.problems());
    }
    if (poolSize != null) {
      problems.addAll(poolSize.problems());
    }
    if (postgres == null) {
      problems.add("postgres: missing (database, credentials)");
    } else {
      problems.addAll(postgres.problems());
    }
    problems.addAll(objectives.problems());
    problems.addAll(approval.problems());
    problems.addAll(verification.problems());
    problems.addAll(notifications.problems());
    if (backups != null) {
      problems.addAll(backups.problems());
    }
    problems.addAll(drill.problems());
    return problems;
  }

  /** What every recovery's workflow ID starts with. */
  public static final String RECOVERY_PREFIX = "recovery-";

  /**
   * The workflow ID every recovery of this database uses, so that only one runs at a time. The
   * database is its StatefulSet in its namespace, whatever the target file calls it: two targets
   * naming one StatefulSet differently still get one ID. A namespace is a DNS label (no dots), so
   * the dot separates the two without ambiguity.
   */
  public String recoveryWorkflowId() {
    return recoveryWorkflowId(namespace, statefulSet);
  }

  /** The workflow ID of recoveries of the StatefulSet {@code statefulSet} in {@code namespace}. */
  public static String recoveryWorkflowId(String namespace, String statefulSet) {
    return RECOVERY_PREFIX + namespace + "." + statefulSet;
  }

  /** What every incident's workflow ID starts with. */
  public static final String INCIDENT_PREFIX = "incident-";

  /** What every drill's workflow ID starts with. */
  public static final String DRILL_PREFIX = "drill-";

  /** What every rejoin's workflow ID starts with. */
  public static final String REJOIN_PREFIX = "rejoin-";

  /** Every prefix of pgdr's run IDs. */
  public static final List<String> RUN_PREFIXES = List.of(RECOVERY_PREFIX, INCIDENT_PREFIX, DRILL_PREFIX, REJOIN_PREFIX);

  /** The prefix of one of pgdr's run IDs (recovery, incident, drill or rejoin) {@code workflowId} starts with; null when none. */
  public static String runPrefix(String workflowId) {
    return RUN_PREFIXES.stream().filter(workflowId::startsWith).findFirst().orElse(null);
  }

  /**
   * The workflow ID of this database's rejoin (a stale server brought back as a standby): one at a
   * time, beside the recovery ID, so a rejoin waiting for its approval never holds up a recovery.
   */
  public String rejoinWorkflowId() {
    return REJOIN_PREFIX + namespace + "." + statefulSet;
  }

  /**
   * The workflow ID of this database's drill: one at a time, and known to the database's recovery,
   * which cancels a drill under way (its scratch copy cleaned up) before it changes anything.
   */
  public String drillWorkflowId() {
    return DRILL_PREFIX + namespace + "." + statefulSet;
  }

  /**
   * The workflow ID of this database's incident: one at a time, beside (not instead of) the one
   * recovery it may start, so an alert repeated while either runs joins the incident.
   */
  public String incidentWorkflowId() {
    return INCIDENT_PREFIX + namespace + "." + statefulSet;
  }

  /**
   * Where a standby pgdr sets up streams from, as {@code host:port}: the Service, which follows the
   * primary through every failover pgdr makes (a pod's IP changes when its pod is recreated). Its
   * endpoint override when the target gives one (the lab, where pods and pgdr share loopback), else
   * its cluster DNS name.
   */
  public String replicationEndpoint() {
    String override = endpointOverrides().get(service);
    return override != null ? override : service + "." + namespace + ".svc:" + postgres.port();
  }

  /** Where to connect to a pod when the target overrides the pod's own address (lab, port-forward). */
  public Map<String, String> endpointOverrides() {
    return postgres == null || postgres.endpoints() == null ? Map.of() : postgres.endpoints();
  }

  static void requireDnsLabel(List<String> problems, String field, String value) {
    if (value == null || value.isBlank()) {
      problems.add(field + ": missing");
    } else if (!DNS_LABEL.matcher(value).matches()) {
      problems.add(field + ": " + Echo.quoted(value) + " is not a Kubernetes name (lowercase letters, digits, '-')");
    }
  }
}
