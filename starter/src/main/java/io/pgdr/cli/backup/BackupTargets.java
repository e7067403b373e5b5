package io.pgdr.cli.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.CredentialsUnavailableException;
import io.pgdr.activities.kubernetes.KubernetesActivitiesImpl;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.KubernetesOptions;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.ProgressBar;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TargetFiles;
import io.pgdr.ports.ClusterState;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PodState;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/** What the backup commands share: a target that names its backups, and adapter failures told as CLI errors. */
public final class BackupTargets {

  private BackupTargets() {}

  public static DatabaseTarget read(Path file) {
    DatabaseTarget target = TargetFiles.read(file);
    if (target.backups() == null) {
      throw CliException.badInput("target " + file + " has no backups section",
          "add backups: {bucket: ..., prefix: ...} (see docs/target.md)");
    }
    return target;
  }

  /** What a backup command takes, in this process, from the server the target's Service selects. */
  interface Take<T> {
    T from(PostgresServer server, CredentialResolver credentials, S3Clients s3, Consumer<TransferProgress> progress);
  }

  /**
   * Takes a backup from the server the target's Service selects now, in this process, announcing
   * what and where on stderr and drawing its progress there.
   *
   * @param announcement the line saying what is taken from the server, and to where
   */
  static <T> T takeFromServicePod(KubernetesOptions kubernetes, DatabaseTarget target, PrintWriter err, String step,
      Function<PostgresServer, String> announcement, Take<T> take) {
    try (KubernetesClient k8s = kubernetes.client(); S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      PostgresServer server = servicePod(k8s, target);
      err.println(announcement.apply(server));
      err.flush();
      ProgressBar bar = new ProgressBar(err, System.console() != null);
      CredentialResolver credentials = new CredentialResolver(k8s, System::getenv, CredentialResolver.SHELL_ENVIRONMENT);
      T taken = call(k8s, () -> take.from(server, credentials, s3, progress -> bar.show(step, progress)));
      bar.finish();
      return taken;
    }
  }

  /** Prints what a backup command took: as JSON with {@code --output json}, else as the line given. */
  static void printTaken(CommandSpec spec, OutputOptions output, Object taken, String line) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(output.json() ? Json.write(taken) : line);
    out.flush();
  }

  /** The server the target's Service selects now: the one a backup is taken from. */
  static PostgresServer servicePod(KubernetesClient k8s, DatabaseTarget target) {
    ClusterState cluster = call(k8s, () -> new KubernetesActivitiesImpl(k8s).describeCluster(target));
    String pod = cluster.servicePod();
    PodState state = cluster.pods().stream().filter(p -> p.name().equals(pod)).findFirst().orElseThrow(() -> new CliException(
        ExitCodes.RUN_FAILED, "Service " + target.service() + " selects no pod of StatefulSet " + target.statefulSet(),
        "check `kubectl get svc " + target.service() + " -n " + target.namespace() + " -o yaml`"));
    return new PostgresServer(state.name(), state.host(), state.port(), target.postgres().database(), target.namespace(),
        target.postgres().credentials());
  }

  /**
   * Runs an adapter call in this process. Its failures carry a type and a message written for the
   * operator: a bucket, prefix or backup that does not exist and a variable this shell lacks are bad
   * input (2), a store or API server that does not answer is unavailable (4), anything else failed (1).
   *
   * @param kubernetes the client the call uses, to name its API server when it does not answer
   */
  static <T> T call(KubernetesClient kubernetes, Supplier<T> adapterCall) {
    try {
      return adapterCall.get();
    } catch (ApplicationFailure e) {
      String type = e.getType();
      int code = FailureTypes.isBadInput(type) || FailureTypes.CREDENTIALS_UNAVAILABLE.equals(type) ? ExitCodes.BAD_INPUT
          : FailureTypes.STORE_UNREACHABLE.equals(type) || FailureTypes.KUBERNETES_API_UNREACHABLE.equals(type) ? ExitCodes.UNAVAILABLE
          : ExitCodes.RUN_FAILED;
      throw new CliException(code, e.getOriginalMessage(), FailureTypes.CREDENTIALS_UNAVAILABLE.equals(type)
          ? "export them in this shell: backup commands read the store from this process"
          : FailureTypes.KUBERNETES_API_UNREACHABLE.equals(type) ? "check --kubeconfig (or KUBECONFIG) and that the cluster is reachable" : null);
    } catch (CredentialsUnavailableException e) {
      throw CliException.badInput(e.getMessage(), null);
    } catch (KubernetesClientException e) {
      throw kubernetesFailed(kubernetes, e);
    }
  }

  /** fabric8 says only "Operation: [get] … failed.": say which API server, and whether it answered at all. */
  static CliException kubernetesFailed(KubernetesClient kubernetes, KubernetesClientException e) {
    String server = kubernetes.getConfiguration().getMasterUrl();
    if (e.getCode() <= 0) { // no HTTP status: nothing answered
      return CliException.unavailable("the Kubernetes API server " + server + " did not answer"
          + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"),
          "check --kubeconfig (or KUBECONFIG) and that the cluster is reachable: kubectl --server " + server + " get namespaces");
    }
    return new CliException(ExitCodes.RUN_FAILED, "the Kubernetes API server " + server + " refused: HTTP " + e.getCode()
        + (e.getStatus() == null || e.getStatus().getMessage() == null ? "" : " " + e.getStatus().getMessage()),
        "check the permissions of the kubeconfig's user");
  }
}
