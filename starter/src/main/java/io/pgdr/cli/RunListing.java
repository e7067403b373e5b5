package io.pgdr.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgdr.run.RunSearchAttributes;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The recovery runs a Temporal service knows, newest first. On a Temporal server (the Temporal
 * CLI's dev server, a deployed one) a list query on pgdr's search attributes does the filtering;
 * Temporal's Java test service (the embedded one) answers list queries with UNIMPLEMENTED, so there
 * the open and closed runs are listed, described one by one and filtered here. The filter is
 * applied to what the query returns too, which changes nothing where the query did its work.
 */
public final class RunListing {

  /** Names and scenarios are Kubernetes names and Java identifiers: nothing that could break out of a quoted query value. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /**
   * What to list, on pgdr's search attributes; a null name or phase means any.
   *
   * @param awaitingApproval only open runs that wait for a human now
   * @param rtoBreached only runs whose RTO objective passed before they recovered the database
   */
  public record Filter(String database, String scenario, String phase, boolean running, boolean awaitingApproval, boolean rtoBreached) {

    public Filter {
      for (String value : new String[] {database, scenario, phase}) {
        if (value != null && !PLAIN.matcher(value).matches()) {
          throw CliException.badInput(io.pgdr.target.Echo.quoted(value) + " is not a database, scenario or phase name",
              "names are letters, digits, '.', '_' and '-'");
        }
      }
    }

    public Filter(String database, String scenario, boolean running) {
      this(database, scenario, null, running, false, false);
    }

    /** The list query a service with search attributes answers. */
    String query() {
      StringBuilder query = new StringBuilder("(" + String.join(" OR ", DatabaseTarget.RUN_PREFIXES.stream()
          .map(prefix -> "WorkflowId STARTS_WITH '" + prefix + "'").toList()) + ")");
      equal(query, RunSearchAttributes.DATABASE.getName(), database);
      equal(query, RunSearchAttributes.SCENARIO.getName(), scenario);
      equal(query, RunSearchAttributes.PHASE.getName(), phase);
      if (openOnly()) {
        query.append(" AND ExecutionStatus = 'Running'");
      }
      if (awaitingApproval) {
        query.append(" AND ").append(RunSearchAttributes.APPROVAL_PENDING.getName()).append(" = true");
      }
      if (rtoBreached) {
        query.append(" AND ").append(RunSearchAttributes.RTO_BREACHED.getName()).append(" = true");
      }
      return query.toString();
    }

    private static void equal(StringBuilder query, String attribute, String value) {
      if (value != null) {
        query.append(" AND ").append(attribute).append(" = '").append(value).append('\'');
      }
    }

    boolean matches(RunRow row) {
      return (database == null || database.equals(row.database()))
          && (scenario == null || scenario.equals(row.scenario()))
          && (phase == null || phase.equals(row.phase()))
          && (!openOnly() || "running".equals(row.status()))
          && (!awaitingApproval || Boolean.TRUE.equals(row.approvalPending()))
          && (!rtoBreached || Boolean.TRUE.equals(row.rtoBreached()));
    }

    /** Only open runs: a closed run waits for nobody. */
    boolean openOnly() {
      return running || awaitingApproval;
    }

    /** No filter but the runs being pgdr's. */
    public boolean any() {
      return database == null && scenario == null && phase == null && !running && !awaitingApproval && !rtoBreached;
    }
  }

  /**
   * One run as {@code pgdr list} shows it. Runs started before pgdr set search attributes have no
   * phase; their scenario and database come from the workflow type and ID.
   *
   * @param status running, completed (succeeded or aborted: see phase), failed, terminated, ...
   * @param closed null while the run is open
   */
  public record RunRow(String workflowId, String runId, String scenario, String database, String status, String phase,
      Boolean rtoBreached, Boolean approvalPending, Instant started, Instant closed) {

    static RunRow of(WorkflowExecutionMetadata run) {
      SearchAttributes attributes = run.getTypedSearchAttributes();
      String workflowId = run.getExecution().getWorkflowId();
      return new RunRow(workflowId, run.getExecution().getRunId(),
          Optional.ofNullable(attributes.get(RunSearchAttributes.SCENARIO)).orElse(run.getWorkflowType()),
          Optional.ofNullable(attributes.get(RunSearchAttributes.DATABASE)).orElse(workflowId.substring(DatabaseTarget.runPrefix(workflowId).length())),
          statusOf(run.getStatus()), attributes.get(RunSearchAttributes.PHASE),
          attributes.get(RunSearchAttributes.RTO_BREACHED), attributes.get(RunSearchAttributes.APPROVAL_PENDING),
          run.getStartTime(), run.getCloseTime());
    }

    private static String statusOf(WorkflowExecutionStatus status) {
      return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT);
    }
  }

  private final WorkflowClient client;

  public RunListing(WorkflowClient client) {
    this.client = client;
  }

  public List<RunRow> list(Filter filter) {
    List<RunRow> rows;
    try {
      rows = client.listExecutions(filter.query()).map(RunRow::of).toList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        rows = describedOneByOne(filter);
      } else if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        throw CliException.unavailable("the Temporal service refused the list query: " + e.getStatus().getDescription(),
            "pgdr's search attributes must be registered on the service; see docs/ui.md");
      } else {
        throw e;
      }
    }
    return rows.stream().filter(filter::matches)
        .sorted(Comparator.comparing(RunRow::started).reversed())
        .toList();
  }

  private List<RunRow> describedOneByOne(Filter filter) {
    List<WorkflowExecutionInfo> found = new ArrayList<>(openRuns());
    if (!filter.openOnly()) {
      found.addAll(closedRuns());
    }
    return found.stream()
        .map(WorkflowExecutionInfo::getExecution)
        .filter(execution -> DatabaseTarget.runPrefix(execution.getWorkflowId()) != null)
        .map(this::describe)
        .map(RunRow::of)
        .toList();
  }

  private WorkflowExecutionMetadata describe(WorkflowExecution execution) {
    return client.newUntypedWorkflowStub(execution.getWorkflowId(), Optional.of(execution.getRunId()), Optional.empty()).describe();
  }

  private List<WorkflowExecutionInfo> openRuns() {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString page = ByteString.EMPTY;
    do {
      ListOpenWorkflowExecutionsResponse response = client.getWorkflowServiceStubs().blockingStub().listOpenWorkflowExecutions(
          ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace()).setNextPageToken(page).build());
      runs.addAll(response.getExecutionsList());
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return runs;
  }

  private List<WorkflowExecutionInfo> closedRuns() {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString page = ByteString.EMPTY;
    do {
      ListClosedWorkflowExecutionsResponse response = client.getWorkflowServiceStubs().blockingStub().listClosedWorkflowExecutions(
          ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace()).setNextPageToken(page).build());
      runs.addAll(response.getExecutionsList());
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return runs;
  }

  private String namespace() {
    return client.getOptions().getNamespace();
  }
}
