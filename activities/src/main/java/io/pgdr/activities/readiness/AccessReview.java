package io.pgdr.activities.readiness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.ReadinessReport.Item;
import io.pgdr.target.DatabaseTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kubernetes permissions the worker needs in a target's namespace, asked of the API server as
 * the caller (SelfSubjectAccessReview): the rules of deploy/kubernetes/role.yaml, which is packed
 * into the jar (one list, which RbacRoleTest holds to the adapter's calls), with the target's own
 * credentials Secret for the Secret rule.
 */
public final class AccessReview {

  /** role.yaml, copied here by the build. */
  static final String ROLE = "role.yaml";

  private final KubernetesClient kubernetes;

  public AccessReview(KubernetesClient kubernetes) {
    this.kubernetes = kubernetes;
  }

  /** One (group, resource, subresource, verb, name) the worker needs. */
  record Permission(String group, String resource, String subresource, String verb, String name) {
    @Override
    public String toString() {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (subresource == null ? "" : "/" + subresource)
          + (name == null ? "" : " " + name);
    }
  }

  public List<Item> review(DatabaseTarget target) {
    List<String> denied = new ArrayList<>();
    List<Permission> needed;
    try {
      needed = needed(target);
      for (Permission permission : needed) {
        SelfSubjectAccessReview answer = kubernetes.authorization().v1().selfSubjectAccessReview().create(new SelfSubjectAccessReviewBuilder()
            .withNewSpec().withResourceAttributes(attributes(permission, target.namespace())).endSpec().build());
        if (answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
          denied.add(permission.toString());
        }
      }
    } catch (RuntimeException e) {
      return List.of(new Item("permissions", ReadinessReport.FAIL, "not checked: " + e.getMessage(),
          "check the kubeconfig or the service account"));
    }
    return List.of(denied.isEmpty()
        ? ReadinessCheck.pass("permissions", "the " + needed.size() + " permissions of deploy/kubernetes/role.yaml are allowed in "
            + target.namespace() + " (clusterrole.yaml's, for a restore onto a new volume, are not checked)")
        : new Item("permissions", ReadinessReport.FAIL, "denied in " + target.namespace() + ": " + String.join(", ", denied),
            "apply deploy/kubernetes/role.yaml (and its RoleBinding) in " + target.namespace()));
  }

  private static ResourceAttributes attributes(Permission permission, String namespace) {
    return new ResourceAttributesBuilder().withNamespace(namespace).withGroup(permission.group()).withResource(permission.resource())
        .withSubresource(permission.subresource()).withVerb(permission.verb()).withName(permission.name()).build();
  }

  /** Every verb on every resource of the Role's rules; the Secret rule names the target's credentials Secret. */
  static List<Permission> needed(DatabaseTarget target) {
    JsonNode role;
    try (InputStream in = AccessReview.class.getResourceAsStream(ROLE)) {
      if (in == null) {
        throw new IllegalStateException(ROLE + " is not in the jar: the build copies deploy/kubernetes/role.yaml");
      }
      role = new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String secret = target.postgres() == null || target.postgres().credentials() == null ? null : target.postgres().credentials().secret();
    List<Permission> needed = new ArrayList<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          String[] parts = resource.asText().split("/", 2);
          boolean secrets = "secrets".equals(parts[0]);
          if (secrets && secret == null) {
            continue; // credentials from the worker's environment: no Secret is read
          }
          for (JsonNode verb : rule.path("verbs")) {
            needed.add(new Permission(group.asText(), parts[0], parts.length > 1 ? parts[1] : null, verb.asText(), secrets ? secret : null));
          }
        }
      }
    }
    return needed;
  }
}
