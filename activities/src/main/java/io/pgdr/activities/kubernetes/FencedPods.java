package io.pgdr.activities.kubernetes;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A comma-separated list of pods kept in a StatefulSet annotation (the fenced ones,
 * {@link io.pgdr.ports.KubernetesLabels#FENCED_PODS}; the held ones, {@link io.pgdr.ports.KubernetesLabels#HELD_PODS}),
 * read tolerantly (spaces, empties) and written back in first-listed order.
 */
record FencedPods(Set<String> pods) {

  static FencedPods from(Map<String, String> annotations, String key) {
    String value = annotations == null ? null : annotations.get(key);
    if (value == null || value.isBlank()) {
      return new FencedPods(Set.of());
    }
    return new FencedPods(Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(pod -> !pod.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new)));
  }

  boolean contains(String pod) {
    return pods.contains(pod);
  }

  FencedPods with(String pod) {
    Set<String> more = new LinkedHashSet<>(pods);
    more.add(pod);
    return new FencedPods(more);
  }

  FencedPods without(String pod) {
    Set<String> fewer = new LinkedHashSet<>(pods);
    fewer.remove(pod);
    return new FencedPods(fewer);
  }

  String annotationValue() {
    return String.join(",", pods);
  }
}
