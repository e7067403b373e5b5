package io.pgdr.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import io.pgdr.lab.TemporalDevServer;
import io.pgdr.worker.TemporalConnection;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore rehearsal and its schedule with the worker and the CLI as separate processes, on
 * one lab with the real Temporal server: the drill's standing chaos test (a drill whose worker is
 * SIGKILLed at each step ends as an undisturbed one), one that fails its objectives, one cancelled
 * midway, one refused while a recovery runs, a schedule created, triggered, described, paused and
 * deleted, the reports they all kept and the readiness check. After each, no scratch database is
 * left and the live data is as it was. One lab for all: a lab's start-up is the costliest step.
 * Commands that need no process of their own (schedules, history, check) run in this JVM.
 */
@org.junit.jupiter.api.Tag("real-servers")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillEndToEndIT {

  private static final String DRILL = "drill-fabrica-agentes.postgresql";
  private static final String SCRATCH = "%\\_pgdr\\_drill\\_%";

  @TempDir static Path logs;
  private static LabProcesses processes;
  private static LabData data;
  private static String live;
  /** The lab's target with drill.scratch: statefulset, as a cluster's target has by default. */
  private static Path clusterTarget;

  @BeforeAll
  static void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    RequiredComponent.require("the Temporal CLI (its dev server has Schedules)", TemporalDevServer.present(), "scripts/test builds it");
    processes = LabProcesses.up(logs);
    data = new LabData(processes);
    // enough rows that a restore takes a moment, for a kill or a cancellation to land in it
    for (int t = 1; t <= 6; t++) {
      data.sql(String.format("CREATE TABLE load_%02d AS SELECT g AS id, md5(g::text) || repeat('y', 60) AS body FROM generate_series(1, 20000) g", t));
    }
    // a table the application's own role owns, and a grant to it: a scratch server must know the role to restore them
    data.sql("CREATE ROLE fabrica_app NOLOGIN");
    data.sql("CREATE TABLE app_sessions AS SELECT g AS id FROM generate_series(1, 50) g");
    data.sql("ALTER TABLE app_sessions OWNER TO fabrica_app");
    data.sql("GRANT SELECT ON stories TO fabrica_app");
    data.backupRun();
    live = data.fingerprint();
    clusterTarget = logs.resolve("scratch-statefulset-target.yaml");
    Files.writeString(clusterTarget, Files.readString(processes.status.targetFile()).replaceAll("scratch: \"?database\"?", "scratch: statefulset"));
    assertTrue(Files.readString(clusterTarget).contains("scratch: statefulset"), Files.readString(clusterTarget));
  }

  @AfterAll
  static void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  /** A command in this JVM, told where Temporal is (the lab's environment is not this JVM's). */
  private static CliRun here(String... args) {
    String[] withTemporal = java.util.Arrays.copyOf(args, args.length + 2);
    withTemporal[args.length] = "--temporal-address";
    withTemporal[args.length + 1] = processes.status.temporalAddress();
    return CliRun.of(withTemporal);
  }

  private static String target() {
    return processes.status.targetFile().toString();
  }

  private static void nothingLeft() throws Exception {
    assertEquals(List.of(), data.databasesLike(SCRATCH), "no scratch database is left");
    assertEquals(live, data.fingerprint(), "the live database is as it was");
  }

  /**
   * The drill's standing chaos test, as it runs on a cluster: the backup restored in a scratch
   * StatefulSet of its own (the lab plays its controller and kubelet: a new server on a new
   * volume), never on the primary; afterwards no StatefulSet, pod, claim or volume of it is left.
   */
  @Test
  @Order(1)
  void aDrillWhoseWorkerIsKilledAtEveryStepPassesAsAnUndisturbedOneAndLeavesNothingBehind() throws Exception {
    WorkflowClient temporal = new TemporalConnection(processes.status.temporalAddress(), "default").client();
    PgdrProcess cli = processes.startPgdr("drill", "run", "--target", clusterTarget.toString(), "--follow", "--output", "json");
    KillPoints kills = new KillPoints(processes, temporal, DRILL)
        .killInFirstTask()
        .killAtActivity("CreateScratchInstance")
        .killAtActivity("RestoreBackup")
        .killAtActivity("CheckRestore")
        .killAtActivity("VerifyPrimary")
        .killAtActivity("DeleteScratchInstance");
    CliRun run = cli.await(Duration.ofMinutes(5));
    System.out.println("drill chaos kills:\n" + kills.table());

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    assertEquals(DRILL, report.path("workflowId").asText());
    JsonNode drill = report.path("result");
    assertEquals("failover-drill", drill.path("kind").asText());
    assertTrue(drill.path("passed").asBoolean() && drill.path("scratchDropped").asBoolean(), drill.toString());
    assertEquals(8, drill.path("check").path("actual").size(), "every table of the backup restored and counted: " + drill);
    assertTrue(report.toString().contains("made roles fabrica_app (NOLOGIN, no password)"), "the owner's role made first: " + report);
    assertTrue(drill.path("verifiedAfterSeconds").asDouble() > 0, drill.toString());
    assertEquals(0, drill.path("readiness").path("items").findValues("status").stream().filter(v -> v.asText().equals("fail")).count(),
        "the drill checked readiness first: " + drill.path("readiness"));
    StandingChaos.assertRtoFromTheRunsStart(temporal, report, DRILL);
    String instance = drill.path("scratchStatefulSet").asText();
    assertTrue(instance.startsWith("pgdr-drill-postgresql-"), drill.toString());
    assertEquals(instance + "-0", drill.path("pod").asText(), "restored in the scratch StatefulSet's pod, not on the primary");
    noScratchStatefulSetLeft(instance);
  }

  @Test
  @Order(2)
  void objectivesBelowWhatTheLabCanDoFailTheDrillWithTheReasonOnTop() throws Exception {
    Path strict = logs.resolve("strict-target.yaml");
    Files.writeString(strict, Files.readString(processes.status.targetFile()).replaceAll("rpo: \\S+", "rpo: PT1S"));
    Thread.sleep(1100); // the backup is older than a second

    CliRun run = here("drill", "run", "--target", strict.toString(), "--follow", "--output", "json");

    assertEquals(1, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("failed", report.path("outcome").asText());
    assertTrue(report.path("message").asText().startsWith("drill failed: RPO: the newest valid backup is "), report.path("message").asText());
    assertTrue(report.path("message").asText().contains("ABOVE the objective of PT1S"), report.path("message").asText());
    assertTrue(report.path("result").path("scratchDropped").asBoolean());
    nothingLeft();
  }

  @Test
  @Order(3)
  void aDrillCancelledMidRestoreDropsItsPartialCopy() throws Exception {
    CliRun started = here("drill", "run", "--target", target());
    assertEquals(0, started.exitCode(), started.toString());
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> !data.databasesLike(SCRATCH).isEmpty());

    WorkflowClient client = new TemporalConnection(processes.status.temporalAddress(), "default").client();
    client.newUntypedWorkflowStub(DRILL).cancel();

    CliRun status = here("status", DRILL, "--follow", "--output", "json");
    JsonNode report = Json.MAPPER.readTree(status.out());
    assertEquals("cancelled", report.path("outcome").asText(), status.toString());
    assertTrue(report.path("result").path("scratchDropped").asBoolean(), report.toString());
    nothingLeft();
  }

  @Test
  @Order(4)
  void aDrillIsRefusedWhileARecoveryRuns() throws Exception {
    CliRun restore = here("restore", "--target", target()); // waits for its approval
    assertEquals(0, restore.exitCode(), restore.toString());
    String recovery = restore.out().trim();
    // the recovery's first task asks the database's drill to stop; a drill started before Temporal
    // resolved that request would be the one cancelled (as safe, not what this test is about)
    WorkflowClient temporal = new TemporalConnection(processes.status.temporalAddress(), "default").client();
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> temporal.fetchHistory(recovery).getEvents()
        .stream().anyMatch(e -> e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED
            || e.getEventType() == io.temporal.api.enums.v1.EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED));
    try {
      CliRun run = here("drill", "run", "--target", target(), "--follow", "--output", "json");

      assertEquals(1, run.exitCode(), run.toString());
      String message = Json.MAPPER.readTree(run.out()).path("message").asText();
      assertTrue(message.startsWith("a recovery of fabrica-agentes/postgresql is running (" + recovery + ")"), message);
      assertTrue(message.endsWith("Nothing was changed."), message);
    } finally {
      CliRun rejected = here("reject", recovery, "--reason", "a test of the drill's guard");
      assertEquals(0, rejected.exitCode(), rejected.toString());
    }
    nothingLeft();
  }

  @Test
  @Order(5)
  void aScheduleIsCreatedTriggeredDescribedPausedAndDeleted() throws Exception {
    CliRun created = here("drill", "schedule", "create", "--target", target(), "--calendar", "day-of-month=1,15 hour=2 minute=30");
    assertEquals(0, created.exitCode(), created.toString());
    assertTrue(created.out().startsWith("created pgdr-drill-fabrica-agentes.postgresql: restore-rehearsal of [fabrica-db]"), created.out());

    CliRun triggered = here("drill", "schedule", "trigger", "fabrica-agentes.postgresql");
    assertEquals(0, triggered.exitCode(), triggered.toString());
    JsonNode described = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> Json.MAPPER.readTree(
        here("drill", "schedule", "describe", "fabrica-agentes.postgresql", "--output", "json").out()),
        view -> view.path("recent").size() == 1 && "completed".equals(view.path("recent").get(0).path("status").asText()));
    JsonNode drill = described.path("recent").get(0).path("summary").path("drills").get(0);
    assertEquals("passed", drill.path("state").asText(), described.toString());
    assertEquals(DRILL, drill.path("workflowId").asText());
    assertTrue(described.path("recent").get(0).path("workflowId").asText().startsWith("drills-fabrica-agentes.postgresql-"), described.toString());
    String next = described.path("next").get(0).asText();
    assertTrue(next.matches("\\d{4}-\\d{2}-(01|15)T02:30:00Z"), next);
    assertEquals("PT1H", described.path("catchUpWindow").asText());

    CliRun paused = here("drill", "schedule", "pause", "fabrica-agentes.postgresql", "--note", "maintenance week");
    assertEquals(0, paused.exitCode(), paused.toString());
    // the list comes from the server's visibility store, which follows a change within moments
    JsonNode listed = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> Json.MAPPER.readTree(here("drill", "schedule", "list", "--output", "json").out()).get(0),
            row -> row.path("paused").asBoolean());
    assertEquals("pgdr-drill-fabrica-agentes.postgresql", listed.path("id").asText());
    assertTrue(listed.path("paused").asBoolean() && listed.path("note").asText().startsWith("maintenance week"), listed.toString());

    assertEquals(0, here("drill", "schedule", "delete", "fabrica-agentes.postgresql").exitCode());
    CliRun gone = here("drill", "schedule", "describe", "fabrica-agentes.postgresql");
    assertEquals(2, gone.exitCode(), gone.toString());
    assertTrue(gone.err().contains("no such schedule"), gone.err());
    nothingLeft();
  }

  @Test
  @Order(6)
  void everyRunKeptItsReportInTheStoreAndHistoryListsThemNewestFirstWithoutASecret() throws Exception {
    CliRun history = CliRun.of("history", "--target", target(), "--output", "json");

    assertEquals(0, history.exitCode(), history.toString());
    JsonNode rows = Json.MAPPER.readTree(history.out());
    List<String> outcomes = new java.util.ArrayList<>();
    rows.forEach(r -> outcomes.add(r.path("scenario").asText() + " " + r.path("outcome").asText()));
    // newest first: the scheduled drill, the restore rejected after the drill it held off, that drill, the cancelled, the failed, the passed
    assertEquals(List.of("FailoverDrill succeeded", "RestoreFromBackup aborted", "FailoverDrill failed", "FailoverDrill cancelled",
        "FailoverDrill failed", "FailoverDrill succeeded"), outcomes, history.out());
    JsonNode passed = rows.get(rows.size() - 1);
    assertTrue(passed.path("rtoSeconds").asDouble() > 0 && passed.path("rpoSeconds").asDouble() > 0, passed.toString());
    assertEquals("not needed", passed.path("approver").asText());

    CliRun table = CliRun.of("history", "--target", target());
    assertTrue(table.out().startsWith("DATE"), table.out());
    assertEquals(7, table.out().lines().count(), "a header and six runs: " + table.out());

    try (var s3 = software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(java.net.URI.create(processes.status.s3Endpoint()))
        .forcePathStyle(true).region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create()).build()) {
      String dir = "pgdr/reports/fabrica-agentes.postgresql/";
      List<String> keys = s3.listObjectsV2Paginator(b -> b.bucket("fabrica-agentes-backups").prefix(dir)).contents().stream()
          .map(o -> o.key()).toList();
      assertEquals(6, keys.stream().filter(k -> k.endsWith(".json")).count(), keys.toString());
      assertEquals(6, keys.stream().filter(k -> k.endsWith(".md")).count(), keys.toString());
      assertTrue(keys.contains(dir + "index.html"), keys.toString());
      String password = processes.lab.pair().password();
      assertTrue(password.length() >= 8, "a password worth searching for");
      for (String key : keys) {
        String text = s3.getObjectAsBytes(b -> b.bucket("fabrica-agentes-backups").key(key)).asUtf8String();
        assertTrue(!text.contains(password), key + " holds the database's password");
      }
      String firstDrill = keys.stream().filter(k -> k.endsWith(".md")).sorted().findFirst().orElseThrow();
      String markdown = s3.getObjectAsBytes(b -> b.bucket("fabrica-agentes-backups").key(firstDrill)).asUtf8String();
      assertTrue(markdown.contains("## Post-failover checklist (runbook 000 §5)"), markdown);
      assertTrue(markdown.contains("- [x] Backups working: the latest valid backup was restored"), markdown);
      assertTrue(markdown.contains("- [ ] Monitoring active: not checked by pgdr"), markdown);
      String page = s3.getObjectAsBytes(b -> b.bucket("fabrica-agentes-backups").key(dir + "index.html")).asUtf8String();
      assertEquals(2, page.split("<svg", -1).length - 1, "a chart of RTO and one of RPO");
      assertTrue(page.contains("RestoreFromBackup"), page);
    }
  }

  @Test
  @Order(7)
  void theReadinessCheckPassesOnTheLabAndFailsForADatabaseThatIsNotThere() throws Exception {
    CliRun check = CliRun.of("check", "--target", target(), "--kubeconfig", processes.status.kubeconfig().toString(), "--output", "json");

    assertEquals(0, check.exitCode(), check.toString());
    JsonNode items = Json.MAPPER.readTree(check.out()).path("items");
    List<String> names = new java.util.ArrayList<>();
    items.forEach(i -> names.add(i.path("check").asText() + " " + i.path("status").asText()));
    assertEquals(List.of("statefulset pass", "primary pass", "replication to postgresql-1 pass", "wal_level pass", "max_wal_senders pass",
        "max_replication_slots pass", "hot_standby pass", "synchronous_commit pass", "backups pass", "wal archive pass", "permissions pass"),
        names, check.out());

    Path missing = logs.resolve("missing-target.yaml");
    Files.writeString(missing, Files.readString(processes.status.targetFile()).replaceAll("statefulSet: \"?postgresql\"?", "statefulSet: nowhere"));
    CliRun failed = CliRun.of("check", "--target", missing.toString(), "--kubeconfig", processes.status.kubeconfig().toString());
    assertEquals(1, failed.exitCode(), failed.toString());
    assertTrue(failed.out().contains("fail statefulset"), failed.out());
    assertTrue(failed.out().contains("NOT READY"), failed.out());
  }

  /**
   * The switchover drill: the primary moved to the standby and back, each old primary rejoined as a
   * standby, every marker found, each direction's RTO measured; the lab as it was afterwards.
   */
  @Test
  @Order(8)
  void aSwitchoverDrillMovesThePrimaryToTheStandbyAndBackLosingNothing() throws Exception {
    CliRun run = here("drill", "run", "--target", target(), "--mode", "switchover", "--yes", "--follow", "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode drill = report.path("result");
    assertEquals(200, drill.path("markersFound").asInt(), drill.toString());
    assertEquals(2, drill.path("switches").size(), drill.toString());
    for (JsonNode direction : drill.path("switches")) {
      assertTrue(direction.path("seconds").asDouble() > 0, "each direction's RTO measured: " + direction);
    }
    theSwitchedPairIsAsItWas();
    nothingLeft();
  }

  /** A switchover drill that misses its RTO fails with the reason first, and still leaves the pair as it was. */
  @Test
  @Order(9)
  void aSwitchoverSlowerThanItsObjectiveFailsAndStillLeavesThePairAsItWas() throws Exception {
    Path strict = logs.resolve("strict-rto-target.yaml");
    Files.writeString(strict, Files.readString(processes.status.targetFile()).replaceAll("rto: \\S+", "rto: PT0.1S"));

    CliRun run = here("drill", "run", "--target", strict.toString(), "--mode", "switchover", "--yes", "--follow", "--output", "json");

    assertEquals(1, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("failed", report.path("outcome").asText());
    String message = report.path("message").asText();
    assertTrue(message.startsWith("drill failed: RTO postgresql-0 -> postgresql-1: verified"), message);
    assertTrue(message.contains("ABOVE the objective of PT0.1S"), message);
    assertEquals(200, report.path("result").path("markersFound").asInt(), "nothing lost, only slow: " + report.path("result"));
    theSwitchedPairIsAsItWas();
    nothingLeft();
  }

  /** A rehearsal in a scratch StatefulSet, cancelled once its scratch pod exists, leaves nothing of it either. */
  @Test
  @Order(10)
  void aRehearsalCancelledInItsScratchStatefulSetLeavesNothingOfItBehind() throws Exception {
    CliRun started = here("drill", "run", "--target", clusterTarget.toString());
    assertEquals(0, started.exitCode(), started.toString());
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> !kubernetes.pods()
          .inNamespace(KubernetesFixture.NAMESPACE).withLabel("pgdr.io/scratch-of").list().getItems().isEmpty());
    }
    new TemporalConnection(processes.status.temporalAddress(), "default").client().newUntypedWorkflowStub(DRILL).cancel();
    JsonNode cancelled = Json.MAPPER.readTree(here("status", DRILL, "--follow", "--output", "json").out());
    assertEquals("cancelled", cancelled.path("outcome").asText(), cancelled.toString());
    assertTrue(cancelled.path("result").path("scratchDropped").asBoolean(), cancelled.toString());
    noScratchStatefulSetLeft(cancelled.path("result").path("scratchStatefulSet").asText());
  }

  /** No scratch StatefulSet, pod or claim in the API, its server stopped, its volume gone, the primary untouched. */
  private static void noScratchStatefulSetLeft(String instance) throws Exception {
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      assertEquals(List.of(), kubernetes.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withLabel("pgdr.io/scratch-of")
          .list().getItems().stream().map(s -> s.getMetadata().getName()).toList());
      assertEquals(List.of(), kubernetes.pods().inNamespace(KubernetesFixture.NAMESPACE).withLabel("pgdr.io/scratch-of")
          .list().getItems().stream().map(p -> p.getMetadata().getName()).toList());
      assertEquals(List.of(), kubernetes.persistentVolumeClaims().inNamespace(KubernetesFixture.NAMESPACE).withLabel("pgdr.io/scratch-of")
          .list().getItems().stream().map(c -> c.getMetadata().getName()).toList());
    }
    Path volume = processes.lab.pair().dir().resolve("scratch-volumes").resolve(instance);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(volume));
    nothingLeft();
  }

  /** After a switchover drill: postgresql-0 the primary behind the Service, postgresql-1 streaming from it, nothing fenced or held. */
  private static void theSwitchedPairIsAsItWas() throws Exception {
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      assertEquals("postgresql-0", StandingChaos.selectedPod(kubernetes), "the Service is back on postgresql-0");
      var annotations = kubernetes.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.STATEFUL_SET)
          .get().getMetadata().getAnnotations();
      assertTrue(annotations == null || (!annotations.containsKey("pgdr.io/fenced-pods") && !annotations.containsKey("pgdr.io/held-pods")),
          "nothing fenced or held: " + annotations);
    }
    try (java.sql.Connection primary = processes.lab.pair().nodes().get(0).connect(processes.lab.pair().database());
         java.sql.Statement s = primary.createStatement();
         java.sql.ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), (SELECT state FROM pg_stat_replication"
             + " WHERE application_name = 'postgresql-1')")) {
      rs.next();
      assertEquals(false, rs.getBoolean(1), "postgresql-0 is the primary again");
      assertEquals("streaming", rs.getString(2), "postgresql-1 streams from it");
    }
  }
}
