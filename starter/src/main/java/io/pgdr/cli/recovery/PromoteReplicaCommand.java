package io.pgdr.cli.recovery;

import io.pgdr.cli.TargetFiles;
import io.pgdr.failover.ReplicaPromotionRequest;
import io.pgdr.failover.ReplicaPromotionWorkflow;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "promote-replica", mixinStandardHelpOptions = true,
    description = {"Promote the most caught-up replica: diagnose, ask, fence the old primary, promote, repoint the Service and ConfigMap, restart the apps, verify, report."})
final class PromoteReplicaCommand implements Callable<Integer> {

  @Mixin RecoveryStartOptions start;

  @Override
  public Integer call() throws Exception {
    return RecoveryStart.startAndFollow(start, ReplicaPromotionWorkflow.SCENARIO, TargetFiles::read, (client, run) ->
        RecoveryStart.promoteReplica(client, new ReplicaPromotionRequest(run.target(), run.incidentStart(), run.requestedBy(),
            run.preApproval(), run.planOnly())));
  }
}
