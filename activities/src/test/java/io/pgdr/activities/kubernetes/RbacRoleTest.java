package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.ports.KubernetesActivities;
import io.pgdr.ports.PromotionIntent;
import io.pgdr.target.DatabaseTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/role.yaml grants exactly what the worker's Kubernetes calls need: every
 * adapter method (and the credential lookup) runs against the API server, each request it makes is
 * turned into the RBAC permission it needs, and that set must equal the Role's. A new call without
 * a Role rule fails here, and so does a rule no call uses; so does a new class holding a client.
 */
@EnableKubernetesMockClient(crud = true)
class RbacRoleTest {

  private static final Path DEPLOY = Path.of(System.getProperty("basedir", "."), "..", "deploy", "kubernetes");
  private static final Path ROLE = DEPLOY.resolve("role.yaml");
  private static final Path CLUSTER_ROLE = DEPLOY.resolve("clusterrole.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Requests made as the cluster's own controllers: not the worker's, so not counted. */
  private static final String STAND_IN = "pgdr-test-stand-in";
  private static KubernetesClient standIn;

  /** One run of each method of the port, in an order a recovery could take. */
  private static final Map<String, Consumer<KubernetesActivities>> CALLS = new LinkedHashMap<>();

  static {
    DatabaseTarget target = FabricaCluster.target();
    CALLS.put("describeCluster", k -> k.describeCluster(target));
    // an incident's assessment and a wait's looks
    CALLS.put("podLogs", k -> k.podLogs(target, List.of("postgresql-0"), 20));
    CALLS.put("podUsage", k -> k.podUsage(target, "postgresql-0"));
    // a pool recovery that raises the applications' pool size
    CALLS.put("configMapValue", k -> k.configMapValue(target, target.configMap().name(), "DATABASE_POOL_SIZE"));
    CALLS.put("setConfigMapValue", k -> k.setConfigMapValue(target, target.configMap().name(), "DATABASE_POOL_SIZE", "20", "run-1"));
    CALLS.put("fencePod", k -> k.fencePod(target, "postgresql-0", "run-1"));
    CALLS.put("recordPromotionIntent", k -> k.recordPromotionIntent(target,
        new PromotionIntent("run-1", "postgresql-1", "0/3000100", 0, 0, "old primary unreachable", false)));
    CALLS.put("repointService", k -> k.repointService(target, "postgresql-1"));
    CALLS.put("repointConfigMap", k -> k.repointConfigMap(target, "postgresql-1"));
    CALLS.put("restartDeployments", k -> k.restartDeployments(target, "run-1"));
    CALLS.put("stopWriters", k -> k.stopWriters(target, "run-1"));
    CALLS.put("restartWriters", k -> k.restartWriters(target, Map.of("fabrica-api", 3, "fabrica-workers", 2)));
    CALLS.put("awaitWritersReady", k -> k.awaitWritersReady(target, Map.of("fabrica-api", 0)));
    // postgresql-1 is ready on its own volume, so the wait ends at once; then postgresql-0 is recreated
    CALLS.put("keepVolumes", k -> k.keepVolumes(target, "postgresql-0", "run-1"));
    CALLS.put("awaitPodReady", k -> k.awaitPodReady(target, "postgresql-1", List.of()));
    CALLS.put("recreatePod", k -> k.recreatePod(target, "postgresql-0", k.keepVolumes(target, "postgresql-0", "run-1"), "run-1"));
    // a wait that restarts the primary's pod
    CALLS.put("restartPod", k -> k.restartPod(target, "postgresql-1", "run-1"));
    // a point-in-time recovery: the StatefulSet controller and a provisioner play their parts as the stand-in
    CALLS.put("stopDatabase", k -> {
      standIn.pods().inNamespace(target.namespace()).delete();
      k.stopDatabase(target, "run-1");
    });
    CALLS.put("freshVolume", k -> {
      Thread provisioner = new Thread(() -> provisionNewVolume(target.namespace(), "data-postgresql-0"));
      provisioner.start();
      k.freshVolume(target, "postgresql-0", List.of(), "run-1");
    });
    CALLS.put("startDatabase", k -> k.startDatabase(target, 1));
    // a rejoin of postgresql-0 (its pod gone with the PITR above): held, let start, its fence lifted
    CALLS.put("holdPod", k -> k.holdPod(target, "postgresql-0", "run-2"));
    CALLS.put("releasePod", k -> k.releasePod(target, "postgresql-0"));
    CALLS.put("unfencePod", k -> k.unfencePod(target, "postgresql-0"));
    // a restore rehearsal in a scratch StatefulSet: the controller and the kubelet bring its pod, ready
    String scratch = io.pgdr.ports.ScratchInstanceName.of("postgresql", "0a1b2c3d");
    CALLS.put("createScratchInstance", k -> {
      standIn.apps().statefulSets().inNamespace(target.namespace()).withName("postgresql").edit(sts -> {
        sts.getSpec().getTemplate().getSpec().getContainers().get(0).setVolumeMounts(List.of(
            new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("data").withMountPath("/var/lib/postgresql/data").build()));
        return sts;
      });
      Thread kubelet = new Thread(() -> {
        while (standIn.apps().statefulSets().inNamespace(target.namespace()).withName(scratch).get() == null) {
          Thread.onSpinWait();
        }
        var pod = FabricaCluster.pod(scratch + "-0", "10.42.0.77", true, 0);
        pod.getMetadata().setLabels(Map.of(io.pgdr.ports.KubernetesLabels.SCRATCH_OF, "postgresql", "app.kubernetes.io/instance", scratch));
        standIn.pods().inNamespace(target.namespace()).resource(pod).create();
      });
      kubelet.start();
      k.createScratchInstance(target, scratch, "run-3");
    });
    CALLS.put("deleteScratchInstance", k -> k.deleteScratchInstance(target, scratch, "run-3"));
  }

  /** Binds the claim, once it is made again, to a new hostPath volume, as a provisioner does. */
  private static void provisionNewVolume(String namespace, String claim) {
    for (int i = 0; i < 200; i++) {
      var made = standIn.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
      if (made != null && (made.getSpec().getVolumeName() == null || made.getSpec().getVolumeName().isBlank())) {
        standIn.persistentVolumes().resource(new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
            .withNewMetadata().withName("pvc-new").endMetadata()
            .withNewSpec().withNewHostPath().withPath("/var/lib/volumes/pvc-new").endHostPath().endSpec().build()).create();
        made.getSpec().setVolumeName("pvc-new");
        made.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound").build());
        standIn.persistentVolumeClaims().inNamespace(namespace).resource(made).update();
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  KubernetesClient client;
  KubernetesMockServer server;

  /**
   * Both PITR steps on a volume only a pod reaches: the worker makes each step's Job and follows it.
   * The stand-in plays the scheduler, the Job controller and the kubelet (each Job's pod ends with
   * the step's result as its termination message).
   */
  private void pitrStepsInPods(DatabaseTarget target) throws Exception {
    String ns = target.namespace();
    var json = io.temporal.common.converter.JacksonJsonPayloadConverter.newDefaultObjectMapper();
    Map<String, Object> results = Map.of("restore-base", new io.pgdr.ports.RestoredBase(3, 100, 3, 1),
        "recover", new io.pgdr.ports.RecoveryReached(2, "0/3000100", null, 1, 0, 0, 100, 1, 1));
    Thread kubelet = new Thread(() -> {
      java.util.Set<String> done = new java.util.HashSet<>();
      while (done.size() < 3) {
        for (var job : standIn.batch().v1().jobs().inNamespace(ns).list().getItems()) {
          String name = job.getMetadata().getName();
          if (!done.add(name)) {
            continue;
          }
          try {
            if ("data-postgresql-1".equals(job.getMetadata().getAnnotations().get("pgdr.io/claim"))) {
              // this one's image cannot be pulled: the worker gives up on it and deletes it
              standIn.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                  .withNewMetadata().withName(name + "-x").addToLabels("job-name", name).endMetadata()
                  .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("pgdr").withNewState().withNewWaiting()
                    .withReason("ErrImagePull").endWaiting().endState().endContainerStatus().endStatus()
                  .build()).create();
              continue;
            }
            String message = json.writeValueAsString(Map.of("result", results.get(job.getMetadata().getLabels().get("pgdr.io/step"))));
            standIn.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName(name + "-x").addToLabels("job-name", name).endMetadata()
                .withNewStatus().withPhase("Succeeded").addNewContainerStatus().withName("pgdr").withNewState().withNewTerminated()
                  .withExitCode(0).withMessage(message).endTerminated().endState().endContainerStatus().endStatus()
                .build()).create();
            job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withSucceeded(1).build());
            standIn.batch().v1().jobs().inNamespace(ns).resource(job).updateStatus();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    kubelet.start();
    var pitr = new io.pgdr.activities.pitr.PitrActivitiesImpl(new CredentialResolver(client, name -> null),
        new io.pgdr.activities.store.S3Clients(), new io.pgdr.activities.pitr.VolumeJobs(client, "pgdr:0.1.0"));
    var volume = new io.pgdr.ports.DataVolume("data-postgresql-0", "pvc-new", null, ns, target.statefulSet());
    var location = new io.pgdr.target.BackupLocation("fabrica-agentes-backups", "db/", null, null, null, null, null);
    var resolution = new io.pgdr.ports.PitrResolution(1, "base", "db/base/base/", List.of("base.tar.gz"), 100, "0/2000028", "0/2000100",
        java.time.Instant.parse("2026-12-07T08:00:00Z"), List.of("000000010000000000000002"), 16 << 20, List.of(), null, "window");
    var pitrTarget = io.pgdr.ports.PitrTarget.time("2026-12-07 08:01:00+00");
    pitr.restoreBase(volume, location, resolution, pitrTarget, "run-1");
    // scaled back to 1 (startDatabase), the StatefulSet controller makes the pod and the scheduler places it
    standIn.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("postgresql-0")
        .endMetadata().withNewSpec().withNodeName("node-a").endSpec().build()).createOr(existing -> existing.update());
    pitr.recoverToTarget(volume, new io.pgdr.ports.PostgresServer("postgresql-0", "10.42.0.10", 5432, "fabrica", ns,
        target.postgres().credentials()), location, resolution, pitrTarget);
    var unpullable = new io.pgdr.ports.DataVolume("data-postgresql-1", null, null, ns, target.statefulSet());
    org.junit.jupiter.api.Assertions.assertThrows(io.temporal.failure.ApplicationFailure.class,
        () -> pitr.restoreBase(unpullable, location, resolution, pitrTarget, "run-2"));
    kubelet.join(5000);
  }

  @Test
  void everyMethodOfTheKubernetesPortIsCalledHere() {
    Set<String> declared = Arrays.stream(KubernetesActivities.class.getMethods())
        .map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(declared, new TreeSet<>(CALLS.keySet()), "add the new method to CALLS, then its rule to role.yaml");
  }

  @Test
  void onlyTheAdapterAndTheCredentialLookupTalkToKubernetes() throws IOException {
    Path sources = Path.of(System.getProperty("basedir", "."), "src", "main", "java");
    Set<String> users;
    try (var files = Files.walk(sources)) {
      users = files.filter(file -> file.toString().endsWith(".java"))
          .filter(file -> read(file).contains("import io.fabric8.kubernetes.client.KubernetesClient;"))
          .map(file -> file.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
    // KubernetesClients builds the client and calls nothing
    assertEquals(Set.of("AccessReview.java", "ClusterReader.java", "CredentialResolver.java", "FreshVolume.java", "KubernetesActivitiesImpl.java",
        "KubernetesClients.java", "PodHold.java", "PodListAnnotation.java", "PodLog.java", "PodRebuild.java", "PodUsage.java", "ScratchInstance.java",
        "VolumeJobs.java"),
        users,
        "a new class calling the API server: run its calls in theRoleGrantsExactlyWhatTheWorkerCalls");
  }

  @Test
  void theRoleGrantsExactlyWhatTheWorkerCalls() throws Exception {
    FabricaCluster.seed(client);
    standIn = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
        client.getConfiguration()).withUserAgent(STAND_IN).build()).build();
    recordedRequests(); // the seeding's own requests are not the worker's
    KubernetesActivities activities = new KubernetesActivitiesImpl(client);
    CALLS.values().forEach(call -> call.accept(activities));
    DatabaseTarget target = FabricaCluster.target();
    new CredentialResolver(client, name -> null).resolve(target.postgres().credentials(), target.namespace());
    pitrStepsInPods(target);
    // the readiness check asks about each of the Role's permissions
    new io.pgdr.activities.readiness.AccessReview(client).review(target);

    List<ApiCall> calls = recordedRequests().stream().filter(r -> !STAND_IN.equals(r.getHeader("User-Agent"))).map(ApiCall::of)
        // Kubernetes lets every authenticated user ask about themselves (ClusterRole system:basic-user): no rule of pgdr's
        .filter(call -> !call.permission().equals("authorization.k8s.io/selfsubjectaccessreviews:create"))
        .toList();
    standIn.close();
    List<Rule> rules = rules();

    List<String> denied = calls.stream()
        .filter(call -> rules.stream().noneMatch(rule -> rule.allows(call)))
        .map(ApiCall::toString)
        .distinct()
        .toList();
    assertEquals(List.of(), denied, "calls role.yaml and clusterrole.yaml do not allow");

    Set<String> used = calls.stream().map(ApiCall::permission).collect(Collectors.toCollection(TreeSet::new));
    Set<String> granted = rules.stream().flatMap(rule -> rule.permissions().stream()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(used, granted, "role.yaml and clusterrole.yaml grant exactly the permissions the calls need");
  }

  @Test
  void requestsMapToTheirRbacPermission() {
    assertEquals("apps/statefulsets:get", ApiCall.of("GET", "/apis/apps/v1/namespaces/ns/statefulsets/postgresql").permission());
    assertEquals("/pods:list", ApiCall.of("GET", "/api/v1/namespaces/ns/pods?labelSelector=app%3Dpostgresql").permission());
    assertEquals("/pods:watch", ApiCall.of("GET", "/api/v1/namespaces/ns/pods?watch=true").permission());
    assertEquals("/pods/log:get", ApiCall.of("GET", "/api/v1/namespaces/ns/pods/postgresql-0/log").permission());
    assertEquals("/services:patch", ApiCall.of("PATCH", "/api/v1/namespaces/ns/services/postgresql").permission());
    assertEquals("apps/deployments:create", ApiCall.of("POST", "/apis/apps/v1/namespaces/ns/deployments").permission());
    assertEquals("/pods:deletecollection", ApiCall.of("DELETE", "/api/v1/namespaces/ns/pods").permission());
    assertEquals("/namespaces:get", ApiCall.of("GET", "/api/v1/namespaces/ns").permission());
    assertEquals("/persistentvolumes:patch", ApiCall.of("PATCH", "/api/v1/persistentvolumes/pvc-1").permission());
    assertTrue(ApiCall.of("PATCH", "/api/v1/persistentvolumes/pvc-1").clusterScoped());
    assertTrue(!ApiCall.of("DELETE", "/api/v1/namespaces/ns/persistentvolumeclaims/data-0").clusterScoped());
  }

  private List<RecordedRequest> recordedRequests() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      requests.add(request);
    }
    return requests;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Role's rules allow namespaced calls only, the ClusterRole's cluster-scoped ones only. */
  private static List<Rule> rules() throws IOException {
    List<Rule> rules = new ArrayList<>();
    rules.addAll(rules(ROLE, "Role", false));
    rules.addAll(rules(CLUSTER_ROLE, "ClusterRole", true));
    return rules;
  }

  private static List<Rule> rules(Path file, String kind, boolean clusterScoped) throws IOException {
    JsonNode role = YAML.readTree(file.toFile());
    assertEquals(kind, role.path("kind").asText(), file + " holds a " + kind);
    List<Rule> rules = new ArrayList<>();
    for (JsonNode rule : role.path("rules")) {
      rules.add(new Rule(strings(rule.path("apiGroups")), strings(rule.path("resources")),
          strings(rule.path("verbs")), strings(rule.path("resourceNames")), clusterScoped));
    }
    assertTrue(!rules.isEmpty(), file + " has no rules");
    return rules;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  /** A request to the API server as RBAC sees it; the core API group is "". */
  record ApiCall(String group, String resource, String verb, String name, boolean clusterScoped) {

    static ApiCall of(RecordedRequest request) {
      return of(request.getMethod(), request.getPath());
    }

    /** {@code /api/v1/namespaces/NS/RESOURCE[/NAME[/SUB]]} or {@code /apis/GROUP/VERSION/namespaces/NS/...}. */
    static ApiCall of(String method, String pathAndQuery) {
      int q = pathAndQuery.indexOf('?');
      String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
      String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
      List<String> parts = Arrays.asList(path.replaceFirst("^/", "").split("/"));
      String group = parts.get(0).equals("api") ? "" : parts.get(1);
      List<String> rest = parts.subList(parts.get(0).equals("api") ? 2 : 3, parts.size());
      boolean namespaced = rest.size() > 2 && rest.get(0).equals("namespaces"); // a namespaced resource, not a namespace itself
      if (namespaced) {
        rest = rest.subList(2, rest.size());
      }
      String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
      String name = rest.size() > 1 ? rest.get(1) : null;
      boolean watch = Arrays.asList(query.split("&")).contains("watch=true");
      String verb = switch (method) {
        case "GET" -> watch ? "watch" : name == null ? "list" : "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name == null ? "deletecollection" : "delete";
        default -> throw new IllegalArgumentException("no RBAC verb for " + method + " " + pathAndQuery);
      };
      return new ApiCall(group, resource, verb, name, !namespaced);
    }

    String permission() {
      return group + "/" + resource + ":" + verb;
    }

    @Override
    public String toString() {
      return permission() + (name == null ? "" : " " + name);
    }
  }

  /** One rule of the Role; an empty resourceNames means any name. */
  record Rule(List<String> apiGroups, List<String> resources, List<String> verbs, List<String> resourceNames,
      boolean clusterScoped) {

    boolean allows(ApiCall call) {
      return clusterScoped == call.clusterScoped() && apiGroups.contains(call.group()) && resources.contains(call.resource()) && verbs.contains(call.verb())
          && (resourceNames.isEmpty() || resourceNames.contains(call.name()));
    }

    Set<String> permissions() {
      Set<String> permissions = new TreeSet<>();
      for (String group : apiGroups) {
        for (String resource : resources) {
          for (String verb : verbs) {
            permissions.add(group + "/" + resource + ":" + verb);
          }
        }
      }
      return permissions;
    }
  }
}
