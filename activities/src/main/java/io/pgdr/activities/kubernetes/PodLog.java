package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Arrays;
import java.util.List;

/** The end of a pod's log, as {@code kubectl logs --tail=N} shows it. */
final class PodLog {

  /** Lines longer than this are cut: a log line may hold a whole statement. */
  static final int LINE_LIMIT = 300;

  private PodLog() {}

  /**
   * The last {@code lines} lines, or one line saying why there are none (pod gone, no container
   * started, an API server that serves no logs). An API server that does not answer is thrown, so
   * the caller names it.
   */
  static List<String> tail(KubernetesClient client, String namespace, String pod, int lines) {
    try {
      String log = client.pods().inNamespace(namespace).withName(pod).tailingLines(lines).getLog();
      if (log == null || log.isBlank()) {
        return List.of("(the log is empty)");
      }
      return Arrays.stream(log.split("\n")).map(PodLog::redacted).map(PodLog::cut).toList();
    } catch (KubernetesClientException e) {
      if (e.getCode() > 0) {
        return List.of("(no log: the API server answered " + e.getCode() + (e.getStatus() == null || e.getStatus().getMessage() == null
            ? "" : ", " + e.getStatus().getMessage()) + ")");
      }
      throw e;
    }
  }

  /** {@code PASSWORD 'x'} (a logged ALTER ROLE) and {@code password=x} (a logged connection string): never into a run's history. */
  private static final java.util.regex.Pattern QUOTED_PASSWORD = java.util.regex.Pattern.compile("(?i)(password\\s+)'(?:[^']|'')*'");
  private static final java.util.regex.Pattern PASSWORD_SETTING = java.util.regex.Pattern.compile("(?i)(password\\s*=\\s*)\\S+");

  static String redacted(String line) {
    return PASSWORD_SETTING.matcher(QUOTED_PASSWORD.matcher(line).replaceAll("$1'***'")).replaceAll("$1***");
  }

  private static String cut(String line) {
    return line.length() <= LINE_LIMIT ? line : line.substring(0, LINE_LIMIT - 3) + "...";
  }
}
