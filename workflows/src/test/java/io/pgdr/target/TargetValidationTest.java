package io.pgdr.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Values that parse but cannot be used are refused with the field named, before any run starts. */
class TargetValidationTest {

  private static DatabaseTarget target(ConfigMapRef configMap, Notify notify) {
    return new DatabaseTarget("fabrica-db", "fabrica-agentes", "postgresql", "postgresql", List.of(), configMap,
        new PostgresAccess("fabrica_db", null, SecretRef.kubernetesSecret("postgresql-credentials"), null), null, null, null, notify, null, null, null, null);
  }

  private static List<String> problemsOfHostTemplate(String template) {
    return target(new ConfigMapRef("fabrica-config", "DATABASE_HOST", template), null).problems();
  }

  private static List<String> problemsOfWebhook(String url) {
    return target(null, new Notify(url)).problems();
  }

  @Test
  void hostTemplatesThatGiveAHostNameAreAccepted() {
    for (String template : new String[] {"{pod}", "{pod}.postgresql", "{pod}.postgresql.fabrica-agentes.svc.cluster.local", null}) {
      assertEquals(List.of(), problemsOfHostTemplate(template), template);
    }
    assertEquals("postgresql-1.postgresql", new ConfigMapRef("c", "k", "{pod}.postgresql").hostFor("postgresql-1"));
  }

  @Test
  void aHostTemplateWithANewlineIsRefused() {
    List<String> problems = problemsOfHostTemplate("{pod}.postgresql\nEVIL=1");
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("configMap.hostTemplate: '{pod}.postgresql\\nEVIL=1' is not a host name template"), problems.get(0));
    assertFalse(problems.get(0).contains("\n"), "echoed on one line: " + problems.get(0));
  }

  @Test
  void hostTemplatesThatCannotBeAHostAreRefused() {
    for (String template : new String[] {"{pod} .postgresql", "{pod}.postgresql:5432", "{pod}..postgresql", "{pod}.-x", "{pod}\t",
        "http://{pod}", "{name}.postgresql", "postgresql", "{pod}.{namespace}", "{pod}." + "a".repeat(64),
        "{pod}" + ".abcdefgh".repeat(22)}) {
      List<String> problems = problemsOfHostTemplate(template);
      assertTrue(problems.size() == 1 && problems.get(0).startsWith("configMap.hostTemplate: "), template + " -> " + problems);
    }
  }

  @Test
  void webhooksMustBeHttpUrlsWithAHost() {
    assertEquals(List.of(), problemsOfWebhook("https://hooks.example/pgdr"));
    assertEquals(List.of(), problemsOfWebhook("http://127.0.0.1:8080/hook?x=1"));
    assertEquals(List.of(), problemsOfWebhook(null));
    for (String url : new String[] {"file:///etc/passwd", "ht!tp://bad url", "https://", "https:///path", "hooks.example/pgdr",
        "ftp://hooks.example/x", "", "javascript:alert(1)"}) {
      List<String> problems = problemsOfWebhook(url);
      assertTrue(problems.size() == 1 && problems.get(0).startsWith("notifications.webhookUrl: ")
          && problems.get(0).contains("not an http(s) URL with a host") && !problems.get(0).contains("passwd") && !problems.get(0).contains("bad url"), url + " -> " + problems);
    }
  }

  @Test
  void aLongValueIsEchoedCutShort() {
    String huge = "x".repeat(10_000);
    List<String> problems = target(null, null).problems();
    assertEquals(List.of(), problems);
    String problem = new DatabaseTarget(huge, "fabrica-agentes", "postgresql", "postgresql", null, null,
        new PostgresAccess("fabrica_db", null, SecretRef.kubernetesSecret("s"), null), null, null, null, null, null, null, null, null).problems().get(0);
    assertTrue(problem.startsWith("name: '" + "x".repeat(Echo.MAX_CHARS) + "…' is not"), problem);
    assertTrue(problem.length() < 200, problem);
  }

  @Test
  void theSecretARestorePodReadsTheStoreKeysFromIsANameAndComesWithTheKeysNames() {
    assertEquals(List.of(), new BackupLocation("b-1", "db/", null, null, "PGDR_S3_ACCESS_KEY", "PGDR_S3_SECRET_KEY", "backup-keys").problems());
    assertEquals(List.of("backups.keysSecret: also name the keys it holds with accessKeyEnv and secretKeyEnv"),
        new BackupLocation("b-1", "db/", null, null, null, null, "backup-keys").problems());
    List<String> problems = new BackupLocation("b-1", "db/", null, null, "A", "B", "Backup_Keys").problems();
    assertTrue(problems.size() == 1 && problems.get(0).startsWith("backups.keysSecret: "), problems.toString());
  }

  @Test
  void patronisRestApiIsATemplateWithThePodOrOneUrlPerPod() {
    assertEquals(List.of(), new PatroniAccess("http://{pod}.postgresql:8008", null, null).problems());
    assertEquals("http://postgresql-1.postgresql:8008", new PatroniAccess("http://{pod}.postgresql:8008/", null, null).urlFor("postgresql-1"));
    PatroniAccess perPod = new PatroniAccess(null, java.util.Map.of("postgresql-0", "http://127.0.0.1:18008"), null);
    assertEquals(List.of(), perPod.problems());
    assertEquals("http://127.0.0.1:18008", perPod.urlFor("postgresql-0"));
    assertEquals(null, perPod.urlFor("postgresql-2"), "a pod the endpoints do not list, and no template: no URL");
    assertTrue(new PatroniAccess("http://postgresql:8008", null, null).problems().get(0).startsWith("patroni.restUrl: "));
    assertTrue(new PatroniAccess(null, null, null).problems().get(0).startsWith("patroni: set restUrl"));
    assertTrue(new PatroniAccess(null, java.util.Map.of("postgresql-0", "file:///etc/passwd"), null).problems().get(0)
        .startsWith("patroni.endpoints.postgresql-0: "));
  }

  @Test
  void policiesAreTheKnownOnesOnlyAndTheOwnerIsRead() {
    DatabaseTarget target = TargetYaml.parse(String.join("\n", "name: fabrica-db", "namespace: fabrica-agentes", "statefulSet: postgresql",
        "service: postgresql", "owner: dba-team", "postgres:", "  database: fabrica_db", "  credentials:", "    secret: pg",
        "approval:", "  policies: [promote-within-rpo]", ""), "t.yaml");
    assertEquals(List.of(), target.problems());
    assertTrue(target.approval().has(ApprovalPolicy.PROMOTE_WITHIN_RPO));
    assertEquals("dba-team", target.owner());
    assertFalse(ApprovalPolicy.DEFAULT.has(ApprovalPolicy.PROMOTE_WITHIN_RPO), "off by default");

    List<String> problems = new ApprovalPolicy(null, null, List.of("restore-anything")).problems();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("approval.policies: 'restore-anything' is not a policy pgdr knows (promote-within-rpo)"),
        problems.get(0));
  }
}
