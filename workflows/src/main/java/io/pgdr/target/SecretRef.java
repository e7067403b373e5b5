package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;

/**
 * Where credentials live. Exactly one of {@code secret} (a Kubernetes Secret in the target's
 * namespace, read by the activity) or {@code passwordEnv} (an environment variable of the worker)
 * is set. Only names travel through workflow history; the activity resolves the values.
 */
public record SecretRef(String secret, String usernameKey, String passwordKey, String username, String passwordEnv) {

  public SecretRef {
    usernameKey = usernameKey == null ? "username" : usernameKey;
    passwordKey = passwordKey == null ? "password" : passwordKey;
  }

  public static SecretRef kubernetesSecret(String secret) {
    return new SecretRef(secret, null, null, null, null);
  }

  public static SecretRef environment(String username, String passwordEnv) {
    return new SecretRef(null, null, null, username, passwordEnv);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    boolean fromSecret = secret != null && !secret.isBlank();
    boolean fromEnv = passwordEnv != null && !passwordEnv.isBlank();
    if (fromSecret == fromEnv) {
      problems.add("postgres.credentials: set either 'secret' (a Kubernetes Secret) or 'username' and 'passwordEnv'");
    }
    if (fromSecret) {
      DatabaseTarget.requireDnsLabel(problems, "postgres.credentials.secret", secret);
    }
    if (fromEnv && (username == null || username.isBlank())) {
      problems.add("postgres.credentials.username: missing (needed with passwordEnv)");
    }
    return problems;
  }
}
