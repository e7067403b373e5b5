package io.pgdr.cli.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgdr.activities.credentials.CredentialsUnavailableException;
import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Runs;
import io.pgdr.cli.TargetFiles;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.function.Supplier;

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
