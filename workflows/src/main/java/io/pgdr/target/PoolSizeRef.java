package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the applications read their connection pool size (runbook 004 §4.4): a key of a ConfigMap
 * in the target's namespace, e.g. {@code fabrica-config} / {@code DATABASE_POOL_SIZE}. A pool
 * recovery may raise it (after approval, the value before recorded so it can be put back) and
 * restart the target's Deployments so they read it.
 */
public record PoolSizeRef(String configMap, String key) {

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    DatabaseTarget.requireDnsLabel(problems, "poolSize.configMap", configMap);
    // the value before a raise is kept in the annotation pgdr.io/before.<key>, whose name part is at most 63 characters
    if (key == null || !key.matches("[A-Za-z0-9]([-._A-Za-z0-9]{0,54}[A-Za-z0-9])?")) {
      problems.add("poolSize.key: " + Echo.quoted(key) + " is not a ConfigMap key pgdr can record (letters, digits, '-', '_', '.',"
          + " starting and ending with a letter or digit, at most 56 characters)");
    }
    return problems;
  }
}
