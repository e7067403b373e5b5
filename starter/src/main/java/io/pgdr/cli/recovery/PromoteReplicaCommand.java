package io.pgdr.cli.recovery;

import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.FollowAndReport;
import io.pgdr.cli.IncidentStart;
import io.pgdr.cli.Operator;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TargetFiles;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.RecoveryOptions;
import io.pgdr.target.DatabaseTarget;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "promote-replica", mixinStandardHelpOptions = true,
    description = {"Promote the most caught-up replica: diagnose, ask, fence the old primary, promote, repoint the Service and ConfigMap, restart the apps, verify, report."})
final class PromoteReplicaCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--target", required = true, description = "target file (YAML) describing the database")
  Path targetFile;

  @Option(names = "--incident-start", description = "when the outage began, ISO-8601 (e.g. 2026-11-22T03:12:00Z); default: now")
  String incidentStart;

  @Option(names = "--yes", description = "approve up front (recorded as an approval by you, reason --yes)")
  boolean yes;

  @Option(names = "--follow", description = "follow the run until it ends and print its report")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    DatabaseTarget target = TargetFiles.read(targetFile);
    Instant incident = IncidentStart.parse(incidentStart);
    WorkflowClient client = temporal.connection().client();
    ReplicaPromotionWorkflow run = client.newWorkflowStub(ReplicaPromotionWorkflow.class,
        RecoveryOptions.forTarget(target, ReplicaPromotionWorkflow.SCENARIO, incident));
    ApprovalDecision preApproval = yes ? Operator.preApproval(client) : null;
    String workflowId = RecoveryStart.start(target, () -> WorkflowClient.start(run::promote,
        new ReplicaPromotionRequest(target, incident, Operator.name(), preApproval)));
    var err = spec.commandLine().getErr();
    err.printf("started %s (%s of %s)%n", workflowId, ReplicaPromotionWorkflow.SCENARIO, target.name());
    if (!follow) {
      err.printf("follow it: pgdr status %s --follow%n", workflowId);
      spec.commandLine().getOut().println(workflowId);
      return ExitCodes.OK;
    }
    return FollowAndReport.run(new Runs(client), workflowId, spec, output, true);
  }
}
