package io.pgdr.incident;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RecoveryRun;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * An incident (runbooks 000 §2 and 004 "assessment"): what was observed, the database assessed
 * (pods, events, logs, claims, connectivity, Patroni, replication, connections), one scenario
 * recommended with its reasons and started as a child run: at once when it changes nothing,
 * after an approval that shows the assessment when it does. Runs as
 * {@code incident-<namespace>.<statefulSet>}: alerts repeated while it runs join it.
 */
@WorkflowInterface
public interface IncidentWorkflow extends RecoveryRun {

  String SCENARIO = "Incident";
  String ALERT = "alert";

  @WorkflowMethod(name = SCENARIO)
  RecoveryReport handle(IncidentRequest request);

  @SignalMethod(name = ALERT, description = "An alert about this database arrived while the incident runs (firing again, or"
      + " resolved): recorded on the run, starts nothing. The worker's POST /alerts sends it.")
  void alert(Alert alert);
}
