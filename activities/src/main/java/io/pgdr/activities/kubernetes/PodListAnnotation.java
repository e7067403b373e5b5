package io.pgdr.activities.kubernetes;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.pgdr.target.DatabaseTarget;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds a pod to, or takes one from, a StatefulSet annotation that lists pods (fenced, held). The
 * list is read first and the patch carries the resourceVersion read, so a concurrent change is
 * read again (a few times) instead of lost; a pod already listed (or already absent) writes nothing.
 */
final class PodListAnnotation {

  private static final Logger log = LoggerFactory.getLogger(PodListAnnotation.class);
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);
  private static final int CONFLICT_ATTEMPTS = 3;

  private PodListAnnotation() {}

  /** @return whether the annotation was changed */
  static boolean edit(KubernetesClient client, DatabaseTarget target, String key, String pod, boolean listed) {
    String ns = target.namespace();
    var resource = client.apps().statefulSets().inNamespace(ns).withName(target.statefulSet());
    for (int attempt = 1; ; attempt++) {
      StatefulSet sts = resource.get();
      if (sts == null) {
        throw MissingResource.failure("StatefulSet", ns, target.statefulSet());
      }
      FencedPods pods = FencedPods.from(sts.getMetadata().getAnnotations(), key);
      if (pods.contains(pod) == listed) {
        return false;
      }
      FencedPods next = listed ? pods.with(pod) : pods.without(pod);
      try {
        if (next.pods().isEmpty()) {
          // an empty list is no annotation at all: nothing of pgdr's left behind (a JSON patch, whose
          // test of the version read makes a concurrent change fail as the merge patch's does)
          resource.patch(JSON_PATCH, client.getKubernetesSerialization().asJson(List.of(
              Map.of("op", "test", "path", "/metadata/resourceVersion", "value", sts.getMetadata().getResourceVersion()),
              Map.of("op", "remove", "path", "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1")))));
        } else {
          resource.patch(MERGE, client.getKubernetesSerialization().asJson(Map.of("metadata", Map.of(
              "resourceVersion", sts.getMetadata().getResourceVersion(), "annotations", Map.of(key, next.annotationValue())))));
        }
        log.info("StatefulSet {}/{}: {} now {}", ns, target.statefulSet(), key, next.pods().isEmpty() ? "(none)" : next.annotationValue());
        return true;
      } catch (KubernetesClientException e) {
        // a failed test of the version read is 422 from a JSON patch, 409 from a merge patch
        if ((e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != 422) || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
        log.info("StatefulSet {}/{} changed while editing {}; reading it again", ns, target.statefulSet(), key);
      }
    }
  }
}
