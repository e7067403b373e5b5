package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;

/**
 * The ConfigMap key that tells applications which host the database is on (runbook 004, Scenario
 * 3). {@code hostTemplate} names the host of a pod; {@code {pod}} is replaced by the pod name.
 */
public record ConfigMapRef(String name, String key, String hostTemplate) {

  public ConfigMapRef {
    hostTemplate = hostTemplate == null || hostTemplate.isBlank() ? "{pod}" : hostTemplate;
  }

  public String hostFor(String pod) {
    return hostTemplate.replace("{pod}", pod);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    DatabaseTarget.requireDnsLabel(problems, "configMap.name", name);
    if (key == null || !key.matches("[-._a-zA-Z0-9]+")) {
      problems.add("configMap.key: '" + key + "' is not a ConfigMap key");
    }
    return problems;
  }
}
