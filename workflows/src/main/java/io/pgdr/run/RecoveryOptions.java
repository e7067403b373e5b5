package io.pgdr.run;

import io.pgdr.drill.FailoverDrillWorkflow;
import io.pgdr.incident.IncidentWorkflow;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.time.Instant;

/**
 * How every recovery is started: its workflow ID is the database's, so a second recovery of the
 * same database while one runs is refused by Temporal itself; a finished one can be followed by
 * the next. The run carries its search attributes from the start, and a summary and details the
 * Temporal UI shows in its list and on the run's page.
 */
public final class RecoveryOptions {

  /**
   * How long a workflow task may run before Temporal gives it to another worker: what a worker lost
   * in the middle of one costs the run's RTO. A recovery's tasks are short (decisions between
   * activities; a local activity's task is extended by the SDK as it runs), so 5 s, half Temporal's
   * default: a task that only ran slow (a worker's first, loading classes) is retried, never lost.
   */
  public static final Duration WORKFLOW_TASK_TIMEOUT = Duration.ofSeconds(5);

  private RecoveryOptions() {}

  /** For a run whose incident starts when the run does. */
  public static WorkflowOptions forTarget(DatabaseTarget target, String scenario) {
    return forTarget(target, scenario, null);
  }

  /** @param incidentStart the request's incident start; null when it is the run's start */
  public static WorkflowOptions forTarget(DatabaseTarget target, String scenario, Instant incidentStart) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(target.recoveryWorkflowId())
        .setTaskQueue(TaskQueues.PGDR)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setWorkflowTaskTimeout(WORKFLOW_TASK_TIMEOUT)
        .setTypedSearchAttributes(RunSearchAttributes.atStart(target.name(), scenario))
        .setStaticSummary(summary(target, scenario, incidentStart))
        .setStaticDetails(details(target))
        .build();
  }

  /**
   * For an incident: the database's incident ID ({@link DatabaseTarget#incidentWorkflowId()}),
   * beside the recovery it may start under the recovery ID.
   */
  public static WorkflowOptions forIncident(DatabaseTarget target, Instant incidentStart) {
    return WorkflowOptions.newBuilder(forTarget(target, IncidentWorkflow.SCENARIO, incidentStart)).setWorkflowId(target.incidentWorkflowId()).build();
  }

  /** For a drill: the database's drill ID ({@link DatabaseTarget#drillWorkflowId()}), one at a time. */
  public static WorkflowOptions forDrill(DatabaseTarget target) {
    return WorkflowOptions.newBuilder(forTarget(target, FailoverDrillWorkflow.SCENARIO)).setWorkflowId(target.drillWorkflowId())
        .setStaticSummary(FailoverDrillWorkflow.SCENARIO + " of " + target.name()).build();
  }

  /** For a rejoin: the database's rejoin ID ({@link DatabaseTarget#rejoinWorkflowId()}), one at a time. */
  public static WorkflowOptions forRejoin(DatabaseTarget target) {
    return WorkflowOptions.newBuilder(forTarget(target, io.pgdr.rejoin.RejoinWorkflow.SCENARIO)).setWorkflowId(target.rejoinWorkflowId())
        .setStaticSummary(io.pgdr.rejoin.RejoinWorkflow.SCENARIO + " of " + target.name()).build();
  }

  /** One line for the UI's run list (which keeps 200 bytes of it). */
  static String summary(DatabaseTarget target, String scenario, Instant incidentStart) {
    return scenario + " of " + target.name() + ", incident "
        + (incidentStart == null ? "from the run's start" : "since " + incidentStart);
  }

  /** The target and its objectives, in the Markdown the UI renders on the run's page. */
  static String details(DatabaseTarget target) {
    StringBuilder md = new StringBuilder();
    md.append("**Target** `").append(target.name()).append("`: namespace `").append(target.namespace())
        .append("`, StatefulSet `").append(target.statefulSet()).append("`, Service `").append(target.service()).append("`");
    if (target.postgres() != null) {
      md.append(", database `").append(target.postgres().database()).append("`");
    }
    md.append("\n\n");
    md.append("- apps restarted: ").append(target.deployments().isEmpty() ? "none" : String.join(", ", target.deployments())).append('\n');
    if (target.configMap() != null) {
      md.append("- ConfigMap `").append(target.configMap().name()).append("` key `").append(target.configMap().key()).append("`\n");
    }
    if (target.backups() != null) {
      md.append("- backups: ").append(target.backups().url()).append('\n');
    }
    md.append("- objectives: RTO ").append(target.objectives().rto()).append(", RPO ").append(target.objectives().rpo()).append('\n');
    md.append("- approval: within ").append(target.approval().timeout()).append(" by ")
        .append(target.approval().approvers().isEmpty() ? "anyone" : String.join(", ", target.approval().approvers())).append('\n');
    md.append("\nAnswer an approval with the update `decide` (checked at once) or the signals `approve` / `reject`;"
        + " the query `status` returns the timeline.");
    return md.toString();
  }
}
