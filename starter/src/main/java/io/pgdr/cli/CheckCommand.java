package io.pgdr.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.kubernetes.KubernetesActivitiesImpl;
import io.pgdr.activities.readiness.AccessReview;
import io.pgdr.activities.readiness.ReadinessCheck;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.target.DatabaseTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Would a recovery work right now? (runbook 000 §6) Checked from this shell, changing nothing: the StatefulSet's pods,"
        + " a primary answering, replication to each standby and its lag against the RPO, the recommended settings (wal_level,"
        + " max_wal_senders, max_replication_slots, hot_standby, synchronous_commit), the newest valid backup's age against the RPO,"
        + " the WAL archive's continuity when there is a physical archive, and the Kubernetes permissions the worker needs (as the"
        + " kubeconfig's user: run it with the worker's). Each item passes, warns or fails with the fix; exit 1 when any fails."})
public final class CheckCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin KubernetesOptions kubernetes;

  @Option(names = "--target", required = true, paramLabel = "FILE", description = "target file (YAML) of the database")
  Path targetFile;

  @Override
  public Integer call() {
    DatabaseTarget target = TargetFiles.read(targetFile);
    if (!target.problems().isEmpty()) {
      throw CliException.badInput("target " + targetFile + " is not valid: " + String.join("; ", target.problems()), "see docs/target.md");
    }
    ReadinessReport report;
    try (KubernetesClient k8s = kubernetes.client(); S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      report = new ReadinessCheck(new KubernetesActivitiesImpl(k8s), new AccessReview(k8s),
          new CredentialResolver(k8s, System::getenv, CredentialResolver.SHELL_ENVIRONMENT), s3).check(target);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(report));
    } else {
      print(out, report);
    }
    out.flush();
    return report.failed() ? ExitCodes.RUN_FAILED : ExitCodes.OK;
  }

  static void print(PrintWriter out, ReadinessReport report) {
    out.printf("readiness of %s at %s: %s%n", report.database(), report.checkedAt(), report.failed() ? "NOT READY" : "ready");
    for (ReadinessReport.Item item : report.items()) {
      out.printf("  %-4s %-28s %s%n", item.status(), item.check(), item.detail());
      if (item.fix() != null) {
        out.printf("       %-28s fix: %s%n", "", item.fix());
      }
    }
    out.printf("%d passed, %d warned, %d failed%n", report.count(ReadinessReport.PASS), report.count(ReadinessReport.WARN),
        report.count(ReadinessReport.FAIL));
  }
}
