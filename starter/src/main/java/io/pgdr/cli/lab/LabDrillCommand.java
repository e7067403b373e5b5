package io.pgdr.cli.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.Operator;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.ReportView;
import io.pgdr.cli.RunFollower;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TargetFiles;
import io.pgdr.cli.recovery.RecoveryStart;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.drill.FreshPair;
import io.pgdr.lab.drill.Kill;
import io.pgdr.lab.drill.Markers;
import io.pgdr.lab.drill.ServiceWriteProbe;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryReport;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.worker.PgdrWorker;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drill", mixinStandardHelpOptions = true,
    description = {"Rehearse a failover on the lab: bring it up, write marker rows, kill the primary, run the ReplicaPromotion workflow (asking for approval at the terminal), print the report, check every replicated marker survived. The lab stays up for inspection unless --down."})
final class LabDrillCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin LabOptions labOptions;
  @Mixin OutputOptions output;

  @Option(names = "--yes", description = "approve up front (recorded as an approval by you, reason --yes)")
  boolean yes;

  @Option(names = "--down", description = "tear the lab down after the drill")
  boolean down;

  @Option(names = "--via-alert", description = "start from Alertmanager's PostgresDown POSTed to the worker's receiver: the incident"
      + " assesses, and the lab target's promote-within-rpo policy approves the promotion (no --yes, nobody asked)")
  boolean viaAlert;

  @Option(names = "--markers", defaultValue = "200", description = "marker rows committed before the kill (default: ${DEFAULT-VALUE})")
  int markers;

  @Override
  public Integer call() throws Exception {
    return labOptions.upThenDown(spec.commandLine().getErr(), down, this::drill);
  }

  private int drill(Lab lab, LabStatus status, PrintWriter err) throws Exception {
    PostgresPair pair = lab.pair();
    DatabaseTarget target = TargetFiles.read(status.targetFile());
    TemporalConnection temporal = new TemporalConnection(status.temporalAddress(), TemporalConnection.DEFAULT_NAMESPACE);
    WorkflowClient client = temporal.client();
    try (KubernetesClient kubernetes = lab.kubernetesClient();
         PgdrWorker worker = PgdrWorker.start(client, kubernetes)) {
      FreshPair fresh = FreshPair.of(lab, pair);
      Markers markerRows = new Markers(status.serviceEndpoint(), pair);
      long lastMarker = markerRows.writeReplicated(markers, fresh.standby().name());
      err.printf("drill: %d markers committed through the Service and replayed on %s%n", markers, fresh.standby().name());

      DrillPreflight preflight = new DrillPreflight(kubernetes);
      err.printf("drill: pre-flight: %s%n", preflight.diagnose(target));
      err.flush();
      err.printf("drill: rehearsal: %s%n", preflight.rehearse(client, target));
      err.flush();

      try (ServiceWriteProbe probe = ServiceWriteProbe.throughService(status.serviceEndpoint(), pair)) {
        Kill kill = Kill.of(fresh.primary());
        // only now: a probe started before the server is gone could write to the dying primary
        probe.start(kill.nanos());
        Instant killedAt = kill.at();
        String killed = kill.pod();
        err.printf("drill: killed %s (immediate stop) at %s; pg_ctl returned after %d ms%n", killed, killedAt, kill.stopMillis());
        err.flush();

        Double alertAfterKill = null;
        RecoveryReport report;
        if (viaAlert) {
          try (AlertDrill alerts = AlertDrill.start(client, target, lab.dir())) {
            alertAfterKill = (System.nanoTime() - kill.nanos()) / 1e9;
            err.printf("drill: PostgresDown POSTed to the alert receiver: %s%n", alerts.postgresDown(target, killed, killedAt).strip());
            err.flush();
            report = new RunFollower(new Runs(client), err, false).follow(target.incidentWorkflowId());
          }
        } else {
          ApprovalDecision preApproval = yes ? Operator.preApproval(client) : null;
          String workflowId = RecoveryStart.promoteReplica(client, new ReplicaPromotionRequest(target, killedAt, Operator.name(), preApproval));
          report = new RunFollower(new Runs(client), err, !yes).follow(workflowId);
        }

        Optional<Double> firstWrite = probe.awaitFirstWrite(RecoveryReport.SUCCEEDED.equals(report.outcome()) ? Duration.ofSeconds(10) : Duration.ZERO);
        long found = RecoveryReport.SUCCEEDED.equals(report.outcome()) ? markerRows.countThroughService(lastMarker) : -1;
        Double alertToWrite = alertAfterKill == null || firstWrite.isEmpty() ? null : firstWrite.get() - alertAfterKill;
        DrillFigures figures = new DrillFigures(killed, killedAt, status.serviceEndpoint(), markers, markers, found,
            firstWrite.orElse(null), alertToWrite);
        print(report, figures);
        if (!RecoveryReport.SUCCEEDED.equals(report.outcome())) {
          return Runs.exitCodeOf(report);
        }
        if (found != markers) {
          err.printf("drill: FAILED: %d of %d replicated markers are readable through the Service%n", found, markers);
          return ExitCodes.RUN_FAILED;
        }
        return ExitCodes.OK;
      }
    }
  }

  /**
   * @param firstWriteAfterKillSeconds kill to the first write committed through the Service
   * @param markersFound replicated markers readable through the Service after the failover; -1 when not checked
   * @param alertToFirstWriteSeconds with --via-alert: the alert's POST to the first write committed through the Service
   */
  record DrillFigures(String killedPod, Instant killedAt, String serviceEndpoint, long markersWritten,
                      long markersReplicated, long markersFound, Double firstWriteAfterKillSeconds, Double alertToFirstWriteSeconds) {}

  private void print(RecoveryReport report, DrillFigures figures) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      ObjectNode json = Json.MAPPER.valueToTree(report);
      json.set("drill", Json.MAPPER.valueToTree(figures));
      out.println(Json.write(json));
    } else {
      ReportView.printReport(out, report);
      out.printf("  drill          killed %s at %s; markers %d written, %d replicated, %d found through the Service%n",
          figures.killedPod(), figures.killedAt(), figures.markersWritten(), figures.markersReplicated(), figures.markersFound());
      out.printf("  first write    %s after the kill, through the Service %s%n",
          figures.firstWriteAfterKillSeconds() == null ? "none" : String.format("%.3fs", figures.firstWriteAfterKillSeconds()),
          figures.serviceEndpoint());
      if (figures.alertToFirstWriteSeconds() != null) {
        out.printf("  alert          %.3fs from the PostgresDown POST to the first write through the Service%n", figures.alertToFirstWriteSeconds());
      }
    }
    out.flush();
  }
}
