package io.pgdr.activities.credentials;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pgdr.activities.kubernetes.ApiUnreachable;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a {@link SecretRef} from workflow history into a user and password, at the last moment
 * and inside the activity, so no secret ever enters history. Messages name where it looked and
 * which key was missing, never a value.
 */
public final class CredentialResolver {

  private final KubernetesClient kubernetes;
  private final Function<String, String> environment;
  private final String environmentName;

  /** Whose environment variables a worker's resolver reads, as its messages name it. */
  public static final String WORKER_ENVIRONMENT = "the worker's environment";
  /** Whose variables a CLI command reads when it resolves credentials in its own process (backup list|run, the drill's checks). */
  public static final String SHELL_ENVIRONMENT = "this shell's environment";

  /**
   * @param kubernetes reads Secrets; may be null when every reference uses environment variables
   * @param environment looks up a variable ({@code System::getenv} in the worker)
   */
  public CredentialResolver(KubernetesClient kubernetes, Function<String, String> environment) {
    this(kubernetes, environment, WORKER_ENVIRONMENT);
  }

  /**
   * @param environmentName whose environment {@code environment} reads, for messages: the worker's,
   *     or the shell of a CLI command that resolves credentials itself
   */
  public CredentialResolver(KubernetesClient kubernetes, Function<String, String> environment, String environmentName) {
    this.kubernetes = kubernetes;
    this.environment = Objects.requireNonNull(environment, "environment");
    this.environmentName = Objects.requireNonNull(environmentName, "environmentName");
  }

  /** For a worker (or a test) that reaches PostgreSQL without Kubernetes. */
  public static CredentialResolver fromEnvironment(Function<String, String> environment) {
    return new CredentialResolver(null, environment);
  }

  /**
   * @param namespace where a referenced Secret lives (the target's namespace)
   * @throws CredentialsUnavailableException when the Secret, one of its keys or the variable is missing
   */
  /**
   * The credentials of one server, inside an activity: what it cannot resolve fails the activity for
   * good ({@code CredentialsUnavailable}), naming the pod and where it looked.
   */
  public Credentials forServer(PostgresServer server) {
    try {
      return resolve(server.credentials(), server.namespace());
    } catch (CredentialsUnavailableException e) {
      throw ApplicationFailure.newNonRetryableFailure("credentials for " + server.pod() + ": " + e.getMessage(),
          FailureTypes.CREDENTIALS_UNAVAILABLE);
    }
  }

  public Credentials resolve(SecretRef ref, String namespace) {
    Objects.requireNonNull(ref, "credentials reference");
    if (ref.secret() != null && !ref.secret().isBlank()) {
      return fromSecret(ref, namespace);
    }
    if (ref.passwordEnv() != null && !ref.passwordEnv().isBlank()) {
      return fromEnvironment(ref);
    }
    throw new CredentialsUnavailableException(
        "credentials reference names neither a Secret nor a password environment variable");
  }

  private Credentials fromSecret(SecretRef ref, String namespace) {
    String where = "Secret " + namespace + "/" + ref.secret();
    if (kubernetes == null) {
      throw new CredentialsUnavailableException(where + " cannot be read: this worker has no Kubernetes client");
    }
    Secret secret;
    try {
      secret = kubernetes.secrets().inNamespace(namespace).withName(ref.secret()).get();
    } catch (KubernetesClientException e) {
      throw ApiUnreachable.orSelf(e, "read " + where, kubernetes.getMasterUrl().toString());
    }
    if (secret == null) {
      throw new CredentialsUnavailableException(where + " not found");
    }
    String user = secretValue(secret, where, ref.usernameKey());
    String password = secretValue(secret, where, ref.passwordKey());
    return new Credentials(user, password);
  }

  // A Secret may carry a key in stringData only when it was never round-tripped through the API
  // server (the mock, a manifest); the server itself always answers with base64 data.
  private static String secretValue(Secret secret, String where, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      try {
        return new String(Base64.getDecoder().decode(data.get(key).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CredentialsUnavailableException(where + " key '" + key + "' is not valid base64");
      }
    }
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.get(key) != null) {
      return stringData.get(key);
    }
    throw new CredentialsUnavailableException(where + " has no key '" + key + "'");
  }

  private Credentials fromEnvironment(SecretRef ref) {
    if (ref.username() == null || ref.username().isBlank()) {
      throw new CredentialsUnavailableException(
          "credentials reference with passwordEnv " + ref.passwordEnv() + " names no username");
    }
    String password = environment.apply(ref.passwordEnv());
    if (password == null) {
      throw new CredentialsUnavailableException(
          "environment variable " + ref.passwordEnv() + " (password for " + ref.username() + ") is not set in " + environmentName);
    }
    return new Credentials(ref.username(), password);
  }
}
