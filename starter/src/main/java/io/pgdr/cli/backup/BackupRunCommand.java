package io.pgdr.cli.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.backup.BackupTaker;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.kubernetes.KubernetesActivitiesImpl;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.KubernetesOptions;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.ProgressBar;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.DatabaseTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Take a backup of the target's database now, from the pod its Service selects: one consistent snapshot streamed to S3 part by part, with a manifest (times, server version, sizes, SHA-256, row counts)."})
final class BackupRunCommand implements Callable<Integer> {

  /** Backup names sort by age, as {@code aws s3 ls | sort} expects. */
  static final DateTimeFormatter BACKUP_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin KubernetesOptions kubernetes;

  @Option(names = "--target", required = true, description = "target file (YAML) with a backups section")
  Path targetFile;

  @Override
  public Integer call() {
    DatabaseTarget target = BackupTargets.read(targetFile);
    PrintWriter err = spec.commandLine().getErr();
    BackupEntry taken;
    try (KubernetesClient k8s = kubernetes.client(); S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      PostgresServer server = servicePod(target, BackupTargets.call(k8s, () -> new KubernetesActivitiesImpl(k8s).describeCluster(target)));
      String id = BACKUP_ID.format(Instant.now());
      err.printf("backing up %s on %s (%s) to %s%s/%n", target.postgres().database(), server.pod(), server.address(),
          target.backups().url(), "pgdr/" + id);
      err.flush();
      ProgressBar bar = new ProgressBar(err, System.console() != null);
      BackupTaker taker = new BackupTaker(new CredentialResolver(k8s, System::getenv, CredentialResolver.SHELL_ENVIRONMENT), s3,
          ClientPrograms.locate());
      taken = BackupTargets.call(k8s, () -> taker.take(target.backups(), server, id, progress -> bar.show("backup", progress)));
      bar.finish();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(taken));
    } else {
      out.printf("backup %s: %s, %s, taken %s .. %s%n", taken.key(), taken.format(), BackupListCommand.size(taken.sizeBytes()),
          taken.startTime(), taken.endTime());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static PostgresServer servicePod(DatabaseTarget target, ClusterState cluster) {
    String pod = cluster.servicePod();
    PodState state = cluster.pods().stream().filter(p -> p.name().equals(pod)).findFirst().orElseThrow(() -> new CliException(
        ExitCodes.RUN_FAILED, "Service " + target.service() + " selects no pod of StatefulSet " + target.statefulSet(),
        "check `kubectl get svc " + target.service() + " -n " + target.namespace() + " -o yaml`"));
    return new PostgresServer(state.name(), state.host(), state.port(), target.postgres().database(), target.namespace(),
        target.postgres().credentials());
  }
}
