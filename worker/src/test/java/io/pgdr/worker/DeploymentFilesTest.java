package io.pgdr.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.TemporalDevServer;
import io.pgdr.run.RunSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What users deploy: docker-compose.yml (validated by docker-compose itself, which needs no
 * engine), the Dockerfile it builds the worker from, and deploy/kubernetes. The checks are the
 * promises docs/deploy.md makes: which images, which ports, which search attributes, which probes.
 */
class DeploymentFilesTest {

  private static final Path ROOT = Path.of(System.getProperty("basedir", "."), "..").toAbsolutePath().normalize();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @org.junit.jupiter.api.Tag("real-servers")
  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    RequiredComponent.require("docker-compose (validates docker-compose.yml without a Docker engine)",
        onPath("docker-compose"), "apt-get install docker-compose");
    Process check = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config", "-q")
        .directory(ROOT.toFile())
        .redirectErrorStream(true)
        .start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(check.waitFor(60, TimeUnit.SECONDS), "docker-compose config did not finish");
    assertEquals(0, check.exitValue(), "docker-compose config: " + output);
  }

  @Test
  void theStackIsTemporalFromServerImageAndAdminToolsJobs() throws IOException {
    JsonNode services = compose().path("services");
    Set<String> images = new TreeSet<>();
    services.forEach(service -> images.add(service.path("image").asText()));
    assertFalse(images.stream().anyMatch(image -> image.startsWith("temporalio/auto-setup")), "deprecated auto-setup image: " + images);
    images.stream().filter(image -> !image.startsWith("pgdr:"))
        .forEach(image -> assertTrue(image.matches("[^:]+:[^:]*\\d[^:]*"), "pinned to a version, not latest: " + image));

    String server = services.path("temporal").path("image").asText();
    assertTrue(server.startsWith("temporalio/server:"), server);
    String serverVersion = server.substring(server.indexOf(':') + 1);
    for (String job : List.of("temporal-schema", "temporal-setup")) {
      String tools = services.path(job).path("image").asText();
      // upstream tags the tools of a server release X as X, or X-tctl-<tctl version>-cli-<CLI version>
      assertTrue(tools.matches("temporalio/admin-tools:" + Pattern.quote(serverVersion) + "(-tctl-[\\d.]+-cli-[\\d.]+)?"),
          job + ": tools of the server's version " + serverVersion + ", not " + tools);
      assertEquals("service_completed_successfully",
          services.path(job.equals("temporal-schema") ? "temporal" : "pgdr-worker").path("depends_on").path(job).path("condition").asText(),
          "waited for until " + job + " has finished");
    }
    assertTrue(services.path("temporal-schema").path("depends_on").path("temporal-postgresql").path("condition").asText().equals("service_healthy"));
    assertTrue(Files.isRegularFile(ROOT.resolve("deploy/compose/temporal-schema.sh")));
    assertTrue(Files.isRegularFile(ROOT.resolve("deploy/compose/temporal-namespace.sh")));
    assertTrue(Files.isRegularFile(ROOT.resolve("deploy/compose/dynamicconfig/development-sql.yaml")));
  }

  @Test
  void theUiIsOnPort8080AtAVersionWithUpdatesAndTheStartPage() throws IOException {
    JsonNode ui = compose().path("services").path("temporal-ui");
    String image = ui.path("image").asText();
    assertTrue(image.startsWith("temporalio/ui:"), image);
    int[] version = Arrays.stream(image.substring(image.indexOf(':') + 1).split("\\.")).mapToInt(Integer::parseInt).toArray();
    assertTrue(Arrays.compare(version, new int[] {2, 34, 4}) >= 0, "UI 2.34.4 or newer: " + image);
    assertTrue(ports(ui).contains("8080:8080"), "the UI on http://localhost:8080");
    assertEquals("temporal:7233", ui.path("environment").path("TEMPORAL_ADDRESS").asText());
    assertTrue(ports(compose().path("services").path("temporal")).contains("7233:7233"), "the CLI on this machine reaches Temporal");
  }

  /** What runs in production is what the lab and the tests run: the Temporal CLI's dev server embeds the same minor versions. */
  @Test
  void theServerAndUiAreTheLabsVersionFamily() throws IOException {
    JsonNode services = compose().path("services");
    assertEquals(minor(TemporalDevServer.SERVER_VERSION), minor(tag(services.path("temporal"))), "server 1.29.x, as in the lab");
    assertEquals(minor(TemporalDevServer.UI_VERSION), minor(tag(services.path("temporal-ui"))), "UI 2.42.x, as in the lab");
    assertTrue(tag(services.path("temporal-setup")).startsWith(minor(TemporalDevServer.SERVER_VERSION) + "."));
  }

  @Test
  void theSetupJobRegistersEverySearchAttributePgdrSets() throws IOException {
    String declared = compose().path("services").path("temporal-setup").path("environment").path("PGDR_SEARCH_ATTRIBUTES").asText();
    Map<String, String> registered = new LinkedHashMap<>();
    for (String attribute : declared.trim().split("\\s+")) {
      String[] nameAndType = attribute.split("=");
      registered.put(nameAndType[0], nameAndType[1]);
    }
    Map<String, String> set = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      set.put(key.getName(), cliTypeName(key.getValueType()));
    }
    assertEquals(set, registered, "the ones runs carry and the lab registers (RunSearchAttributes.ALL), typed as the Temporal CLI names types");
    assertTrue(Files.readString(ROOT.resolve("deploy/compose/temporal-namespace.sh")).contains("PGDR_SEARCH_ATTRIBUTES"),
        "the job's script reads the list it is given");
  }

  @Test
  void theWorkerIsBuiltHereAndPointedAtTheStack() throws IOException {
    JsonNode worker = compose().path("services").path("pgdr-worker");
    assertEquals(".", worker.path("build").path("context").asText());
    assertEquals("Dockerfile", worker.path("build").path("dockerfile").asText());
    JsonNode env = worker.path("environment");
    assertEquals("temporal:7233", env.path("TEMPORAL_ADDRESS").asText());
    assertEquals(Integer.toString(MonitoringEndpoint.DEFAULT_PORT), env.path("PGDR_METRICS_PORT").asText());
    assertTrue(env.has("KUBECONFIG") && env.has("AWS_ACCESS_KEY_ID") && env.has("AWS_SECRET_ACCESS_KEY"), env.toString());
    assertTrue(ports(worker).contains(MonitoringEndpoint.DEFAULT_PORT + ":" + MonitoringEndpoint.DEFAULT_PORT));
    assertTrue(worker.path("healthcheck").path("test").toString().contains("/readyz"));

    JsonNode minio = compose().path("services").path("minio-setup");
    assertEquals("fabrica-agentes-backups", minio.path("environment").path("BUCKET").asText());
    assertEquals(env.path("AWS_ACCESS_KEY_ID").asText(),
        compose().path("services").path("minio").path("environment").path("MINIO_ROOT_USER").asText(), "the worker's S3 keys are MinIO's");
  }

  @Test
  void theDockerfileBuildsTheShadedJarAndShipsPostgresClientPrograms() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> from = matches(dockerfile, "(?m)^FROM\\s+(\\S+)");
    assertEquals(2, from.size(), "a build stage and a runtime stage: " + from);
    assertTrue(from.get(0).startsWith("maven:") && from.get(0).contains("temurin-17"), from.get(0));
    assertTrue(from.get(1).startsWith("eclipse-temurin:17-jre"), from.get(1));
    assertTrue(dockerfile.contains("-pl starter -am package"), "the shaded jar, as ./pgdr builds it");
    assertTrue(dockerfile.contains("COPY --from=build /src/starter/target/pgdr.jar"), "the shaded jar in the image");
    assertTrue(dockerfile.matches("(?s).*apt-get install[^\\n]*postgresql-client.*"), "pg_dump and pg_restore");
    assertTrue(dockerfile.contains("EXPOSE " + MonitoringEndpoint.DEFAULT_PORT));
    assertTrue(dockerfile.contains("CMD [\"worker\"]"));
    String ignored = Files.readString(ROOT.resolve(".dockerignore"));
    assertTrue(ignored.contains("**/target"), "no stale build output in the build context");
  }

  @Test
  void theKubernetesDeploymentProbesTheHealthEndpointUnderTheRoleAccount() throws IOException {
    Path dir = ROOT.resolve("deploy/kubernetes");
    JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
    List<String> resources = new ArrayList<>();
    kustomization.path("resources").forEach(r -> resources.add(r.asText()));
    try (var files = Files.list(dir)) {
      Set<String> manifests = files.map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(manifests, new TreeSet<>(resources), "kustomization.yaml lists every manifest");
    }

    JsonNode deployment = YAML.readTree(dir.resolve("deployment.yaml").toFile());
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").get(0);
    assertEquals("/healthz", container.path("livenessProbe").path("httpGet").path("path").asText());
    assertEquals("/readyz", container.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals(MonitoringEndpoint.DEFAULT_PORT, container.path("ports").get(0).path("containerPort").asInt());
    assertTrue(container.path("resources").path("limits").has("memory"));
    String credentials = container.path("env").toString();
    assertTrue(credentials.contains("secretKeyRef"), "keys come from a Secret, never the manifest");

    JsonNode account = YAML.readTree(dir.resolve("serviceaccount.yaml").toFile());
    JsonNode binding = YAML.readTree(dir.resolve("rolebinding.yaml").toFile());
    JsonNode role = YAML.readTree(dir.resolve("role.yaml").toFile());
    String accountName = account.path("metadata").path("name").asText();
    assertEquals(accountName, pod.path("serviceAccountName").asText());
    assertEquals(deployment.path("metadata").path("namespace").asText(), account.path("metadata").path("namespace").asText());
    JsonNode subject = binding.path("subjects").get(0);
    assertEquals(accountName, subject.path("name").asText());
    assertEquals(account.path("metadata").path("namespace").asText(), subject.path("namespace").asText());
    assertEquals(role.path("metadata").path("name").asText(), binding.path("roleRef").path("name").asText());
    assertEquals("Role", binding.path("roleRef").path("kind").asText(), "namespace-scoped, never a ClusterRole");
    assertEquals(role.path("metadata").path("namespace").asText(), binding.path("metadata").path("namespace").asText());

    // the one cluster-wide grant: PersistentVolumes, which have no namespace
    JsonNode clusterRole = YAML.readTree(dir.resolve("clusterrole.yaml").toFile());
    JsonNode clusterBinding = YAML.readTree(dir.resolve("clusterrolebinding.yaml").toFile());
    assertEquals("ClusterRole", clusterBinding.path("roleRef").path("kind").asText());
    assertEquals(clusterRole.path("metadata").path("name").asText(), clusterBinding.path("roleRef").path("name").asText());
    assertEquals(accountName, clusterBinding.path("subjects").get(0).path("name").asText());
    assertEquals(List.of("persistentvolumes"), YAML.convertValue(clusterRole.path("rules").get(0).path("resources"), List.class));
  }

  /** INDEXED_VALUE_TYPE_KEYWORD_LIST -> KeywordList, as {@code temporal operator search-attribute create --type} takes it. */
  private static String cliTypeName(IndexedValueType type) {
    return Arrays.stream(type.name().replace("INDEXED_VALUE_TYPE_", "").split("_"))
        .map(word -> word.charAt(0) + word.substring(1).toLowerCase(Locale.ROOT))
        .collect(Collectors.joining());
  }

  /** The image's tag: temporalio/server:1.29.1 -> 1.29.1. */
  private static String tag(JsonNode service) {
    String image = service.path("image").asText();
    return image.substring(image.indexOf(':') + 1);
  }

  /** 1.29.1 -> 1.29; 1.29.1-tctl-1.18.4-cli-1.5.0 -> 1.29. */
  private static String minor(String version) {
    Matcher minor = Pattern.compile("^(\\d+\\.\\d+)\\.").matcher(version);
    assertTrue(minor.find(), "a version X.Y.Z: " + version);
    return minor.group(1);
  }

  private static JsonNode compose() throws IOException {
    return YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
  }

  private static List<String> ports(JsonNode service) {
    List<String> ports = new ArrayList<>();
    service.path("ports").forEach(port -> ports.add(port.asText()));
    return ports;
  }

  private static List<String> matches(String text, String regex) {
    List<String> found = new ArrayList<>();
    Matcher matcher = Pattern.compile(regex).matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  private static boolean onPath(String program) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }
}
