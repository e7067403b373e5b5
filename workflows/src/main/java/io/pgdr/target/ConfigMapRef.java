package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The ConfigMap key that tells applications which host the database is on (runbook 004, Scenario
 * 3). {@code hostTemplate} names the host of a pod; {@code {pod}} is replaced by the pod name.
 */
public record ConfigMapRef(String name, String key, String hostTemplate) {

  static final String POD = "{pod}";
  /** RFC 1123 host name: dot-separated labels of letters, digits and inner '-', each at most 63 characters. */
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*");
  private static final int MAX_HOST_NAME = 253;
  /** The longest name a pod can have: the template must give a valid host name for every pod. */
  private static final String LONGEST_POD = "p".repeat(63);

  public ConfigMapRef {
    hostTemplate = hostTemplate == null || hostTemplate.isBlank() ? POD : hostTemplate;
  }

  public String hostFor(String pod) {
    return hostTemplate.replace(POD, pod);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    DatabaseTarget.requireDnsLabel(problems, "configMap.name", name);
    if (key == null || !key.matches("[-._a-zA-Z0-9]+")) {
      problems.add("configMap.key: " + Echo.quoted(key) + " is not a ConfigMap key");
    }
    String longestHost = hostFor(LONGEST_POD);
    if (!hostTemplate.contains(POD) || !HOST_NAME.matcher(longestHost).matches() || longestHost.length() > MAX_HOST_NAME) {
      problems.add("configMap.hostTemplate: " + Echo.quoted(hostTemplate) + " is not a host name template: it must contain " + POD
          + " and, with a pod's name in its place, be a DNS host name (letters, digits, '-' and '.', no spaces,"
          + " at most " + MAX_HOST_NAME + " characters), e.g. {pod}.postgresql");
    }
    return problems;
  }
}
