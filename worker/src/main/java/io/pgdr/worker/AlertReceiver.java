package io.pgdr.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgdr.incident.Alert;
import io.pgdr.incident.IncidentOutcome;
import io.pgdr.incident.IncidentRequest;
import io.pgdr.incident.IncidentWorkflow;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.run.RunStatus;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alertmanager's webhook receiver ({@code POST /alerts}): each database an alert names gets its
 * incident, started or joined under the database's incident ID, so a repeated or duplicate
 * notification never starts a second run; a resolved alert is recorded on the running one. The
 * whole notification is checked first (payload, and a target for every database): a bad one is
 * answered 400 with the reason, and nothing starts.
 */
final class AlertReceiver {

  private static final Logger log = LoggerFactory.getLogger(AlertReceiver.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An HTTP answer: status and JSON body. */
  record Answer(int status, String body) {}

  private final WorkflowClient client;
  private final AlertTargets targets;

  AlertReceiver(WorkflowClient client, AlertTargets targets) {
    this.client = client;
    this.targets = targets;
  }

  Answer receive(byte[] body) {
    AlertmanagerPayload payload;
    Map<DatabaseTarget, List<Alert>> work = new LinkedHashMap<>();
    try {
      payload = AlertmanagerPayload.parse(body);
      for (Map.Entry<String, List<Alert>> entry : payload.byDatabase().entrySet()) {
        String[] names = entry.getKey().split("/", 2);
        DatabaseTarget target = targets.find(names[0], names[1]).orElseThrow(() -> new AlertmanagerPayload.BadPayload("no target for"
            + " namespace " + names[0] + ", statefulset " + names[1] + " in " + targets.directory() + ": pgdr starts nothing for a"
            + " database it has no target file for"));
        work.put(target, entry.getValue());
      }
    } catch (AlertmanagerPayload.BadPayload e) {
      log.warn("alert notification refused: {}", e.getMessage());
      return answer(400, Map.of("error", e.getMessage(), "started", List.of()));
    }
    List<Map<String, String>> incidents = new ArrayList<>();
    work.forEach((target, alerts) -> incidents.add(handle(target, alerts, payload)));
    return answer(200, Map.of("incidents", incidents));
  }

  /** One database's alerts: its incident started, joined, or left alone when it already handled them. */
  private Map<String, String> handle(DatabaseTarget target, List<Alert> alerts, AlertmanagerPayload payload) {
    String id = target.incidentWorkflowId();
    List<Alert> firing = alerts.stream().filter(Alert::firing).toList();
    RunStatus seen = statusOf(id);
    boolean running = seen != null && seen.report() == null;
    if (!running && seen != null && alreadyHandled(seen, firing)) {
      return result(id, "handled", "the incident " + id + " already handled " + (firing.isEmpty() ? "this alert" : "these alerts")
          + " and ended " + seen.report().outcome() + ": nothing started");
    }
    if (firing.isEmpty() && !running) {
      return result(id, "nothing-running", "resolved, and no incident runs for " + target.name() + ": nothing started");
    }
    if (running || firing.isEmpty()) {
      try {
        alerts.forEach(alert -> client.newUntypedWorkflowStub(id).signal(IncidentWorkflow.ALERT, alert));
        return result(id, "joined", alerts.size() + " alert(s) recorded on the running incident");
      } catch (WorkflowNotFoundException ended) {
        // it ended (or was terminated, leaving no report) since it was looked at: a new firing starts a new one
        if (firing.isEmpty()) {
          return result(id, "nothing-running", "resolved, and no incident runs for " + target.name() + ": nothing started");
        }
      }
    }
    IncidentRequest request = new IncidentRequest(target, null, "alertmanager" + (payload.receiver() == null ? "" : " (receiver "
        + payload.receiver() + ")"), null, false, cause(payload, firing), alerts);
    WorkflowOptions options = WorkflowOptions.newBuilder(RecoveryOptions.forIncident(target, request.start()))
        // a notification racing another for the same database joins the incident the first one started
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .build();
    WorkflowExecution execution = client.newUntypedWorkflowStub(IncidentWorkflow.SCENARIO, options)
        .signalWithStart(IncidentWorkflow.ALERT, new Object[] {firing.get(0)}, new Object[] {request});
    log.info("alerts {} for {}: incident {} (run {})", alerts.stream().map(Alert::name).distinct().toList(), target.name(), id,
        execution.getRunId());
    return result(id, "started", "incident " + id + " for " + String.join(", ", firing.stream().map(Alert::name).distinct().toList()));
  }

  /** Every firing alert in the notification is one the ended incident had (Alertmanager repeats them while they fire). */
  private static boolean alreadyHandled(RunStatus ended, List<Alert> firing) {
    if (!(ended.report().result() instanceof IncidentOutcome outcome)) {
      return false;
    }
    Set<String> handled = outcome.alerts().stream().map(Alert::key).collect(Collectors.toSet());
    return firing.stream().map(Alert::key).allMatch(handled::contains);
  }

  /** The incident's status, also when it ended; null when it never ran. */
  private RunStatus statusOf(String workflowId) {
    try {
      return client.newUntypedWorkflowStub(workflowId).query("status", RunStatus.class);
    } catch (WorkflowNotFoundException e) {
      return null;
    }
  }

  private static String cause(AlertmanagerPayload payload, List<Alert> firing) {
    if (payload.summary() != null && !payload.summary().isBlank()) {
      return payload.summary();
    }
    return firing.stream().sorted(Comparator.comparing(Alert::startsAt))
        .map(a -> a.name() + (a.summary() == null ? "" : ": " + a.summary())).distinct().collect(Collectors.joining("; "));
  }

  private static Map<String, String> result(String workflowId, String action, String message) {
    Map<String, String> result = new LinkedHashMap<>();
    result.put("workflowId", workflowId);
    result.put("action", action);
    result.put("message", message);
    return result;
  }

  private static Answer answer(int status, Object body) {
    try {
      return new Answer(status, JSON.writeValueAsString(body) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
