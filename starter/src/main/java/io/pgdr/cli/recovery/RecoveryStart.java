package io.pgdr.cli.recovery;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.FollowAndReport;
import io.pgdr.cli.IncidentStart;
import io.pgdr.cli.Operator;
import io.pgdr.cli.Runs;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.incident.IncidentRequest;
import io.pgdr.incident.IncidentWorkflow;
import io.pgdr.outage.TransientOutageRequest;
import io.pgdr.outage.TransientOutageWorkflow;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.patroni.PatroniFailoverRequest;
import io.pgdr.patroni.PatroniFailoverWorkflow;
import io.pgdr.pitr.PitrRequest;
import io.pgdr.pool.ConnectionPoolRecoveryWorkflow;
import io.pgdr.pool.PoolRecoveryRequest;
import io.pgdr.pitr.PointInTimeRecoveryWorkflow;
import io.pgdr.rejoin.RejoinRequest;
import io.pgdr.rejoin.RejoinWorkflow;
import io.pgdr.restore.RestoreFromBackupWorkflow;
import io.pgdr.restore.RestoreRequest;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Starting a recovery run, the same for every scenario: under the database's recovery workflow ID
 * ({@link DatabaseTarget#recoveryWorkflowId()}, set by {@link RecoveryOptions}), so one runs per
 * database and a second is refused clearly (exit 5). {@link #startAndFollow} is the whole of a
 * scenario command: check the options and the target, start, then follow and report or say how to.
 */
public final class RecoveryStart {

  private RecoveryStart() {}

  /**
   * What every scenario's request carries, from the start options and the person at the keyboard.
   *
   * @param planOnly true with {@code --plan}; null otherwise, as in every request before plans
   */
  record Request(DatabaseTarget target, Instant incidentStart, String requestedBy, ApprovalDecision preApproval, Boolean planOnly) {}

  /**
   * A scenario command's run: refuses options that do not go together, reads and checks the target,
   * starts the run, then follows it to its report (with {@code --follow} or {@code --plan}; the exit
   * code is the run's) or prints its workflow ID and how to follow it.
   *
   * @param scenario the scenario's name, as the run is listed
   * @param readTarget reads the target file; a scenario adds its own checks (a restore's backups, its options)
   * @param start starts the scenario's run with the request the scenario makes of {@code Request}
   */
  static int startAndFollow(RecoveryStartOptions options, String scenario, Function<Path, DatabaseTarget> readTarget,
      BiFunction<WorkflowClient, Request, String> start) throws InterruptedException {
    options.requireConsistent();
    DatabaseTarget target = readTarget.apply(options.targetFile);
    Instant incident = IncidentStart.parse(options.incidentStart);
    WorkflowClient client = options.temporal.connection().client();
    ApprovalDecision preApproval = options.yes ? Operator.preApproval(client) : null;
    String workflowId = start.apply(client, new Request(target, incident, Operator.name(), preApproval, options.plan ? Boolean.TRUE : null));
    PrintWriter err = options.command.commandLine().getErr();
    err.printf("started %s (%s of %s%s)%n", workflowId, scenario, target.name(), options.plan ? ", plan only" : "");
    if (!options.followToTheEnd()) {
      err.printf("follow it: pgdr status %s --follow%n", workflowId);
      options.command.commandLine().getOut().println(workflowId);
      return ExitCodes.OK;
    }
    // a plan asks nothing: an approval at the terminal would approve a change a plan never makes
    return FollowAndReport.run(new Runs(client), workflowId, options.command, options.output, !options.plan);
  }

  /**
   * A scenario's option given in seconds: null when not given, refused (exit 2) when not positive.
   *
   * @param example the value the hint suggests
   */
  static Duration seconds(String option, Long seconds, long example) {
    if (seconds == null) {
      return null;
    }
    if (seconds <= 0) {
      throw CliException.badInput(option + " " + seconds + " is not a positive number of seconds", "e.g. " + option + " " + example);
    }
    return Duration.ofSeconds(seconds);
  }

  /** Starts a failover. @return its workflow ID */
  public static String promoteReplica(WorkflowClient client, ReplicaPromotionRequest request) {
    return start(client, ReplicaPromotionWorkflow.class, ReplicaPromotionWorkflow.SCENARIO, request.target(), request.incidentStart(),
        run -> WorkflowClient.start(run::promote, request));
  }

  /** Starts a restore. @return its workflow ID */
  public static String restore(WorkflowClient client, RestoreRequest request) {
    return start(client, RestoreFromBackupWorkflow.class, RestoreFromBackupWorkflow.SCENARIO, request.target(), request.incidentStart(),
        run -> WorkflowClient.start(run::restore, request));
  }

  public static String pointInTime(WorkflowClient client, PitrRequest request) {
    return start(client, PointInTimeRecoveryWorkflow.class, PointInTimeRecoveryWorkflow.SCENARIO, request.target(), request.incidentStart(),
        run -> WorkflowClient.start(run::recoverToPoint, request));
  }

  /** Starts a Patroni failover or switchover. @return its workflow ID */
  public static String patroniFailover(WorkflowClient client, PatroniFailoverRequest request) {
    return start(client, PatroniFailoverWorkflow.class, PatroniFailoverWorkflow.SCENARIO, request.target(), request.incidentStart(),
        run -> WorkflowClient.start(run::failover, request));
  }

  /** Starts a connection pool recovery. @return its workflow ID */
  public static String poolRecovery(WorkflowClient client, PoolRecoveryRequest request) {
    return start(client, ConnectionPoolRecoveryWorkflow.class, ConnectionPoolRecoveryWorkflow.SCENARIO, request.target(),
        request.incidentStart(), run -> WorkflowClient.start(run::recoverPool, request));
  }

  /** Starts a wait for a transient outage. @return its workflow ID */
  public static String transientOutage(WorkflowClient client, TransientOutageRequest request) {
    return start(client, TransientOutageWorkflow.class, TransientOutageWorkflow.SCENARIO, request.target(), request.incidentStart(),
        run -> WorkflowClient.start(run::waitForRecovery, request));
  }

  /** Starts an incident: assessment, recommendation, and the recovery it recommends. @return its workflow ID */
  public static String incident(WorkflowClient client, IncidentRequest request) {
    IncidentWorkflow run = client.newWorkflowStub(IncidentWorkflow.class, RecoveryOptions.forIncident(request.target(), request.start()));
    return started("an incident", request.target(), () -> WorkflowClient.start(run::handle, request));
  }

  /** Starts a rejoin, under the database's rejoin ID. @return its workflow ID */
  public static String rejoin(WorkflowClient client, RejoinRequest request) {
    RejoinWorkflow run = client.newWorkflowStub(RejoinWorkflow.class, RecoveryOptions.forRejoin(request.target()));
    return started("a rejoin", request.target(), () -> WorkflowClient.start(run::rejoin, request));
  }

  private static <W> String start(WorkflowClient client, Class<W> workflow, String scenario, DatabaseTarget target, Instant incidentStart,
      Function<W, WorkflowExecution> start) {
    W run = client.newWorkflowStub(workflow, RecoveryOptions.forTarget(target, scenario, incidentStart));
    return started("a recovery", target, () -> start.apply(run));
  }

  /** Starts a run; one already running under the same ID is refused, with how to follow it. */
  private static String started(String what, DatabaseTarget target, java.util.function.Supplier<WorkflowExecution> start) {
    try {
      return start.get().getWorkflowId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException(ExitCodes.ALREADY_RUNNING, what + " of " + target.namespace() + "/" + target.statefulSet() + " is already running: "
          + e.getExecution().getWorkflowId() + " (run " + e.getExecution().getRunId() + ")",
          "follow it with: pgdr status " + e.getExecution().getWorkflowId() + " --follow");
    }
  }
}
