package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.drill.Markers;
import io.pgdr.run.RunStatus;
import io.pgdr.worker.TemporalConnection;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker and the CLI as separate processes against the lab's Temporal server: kill the primary,
 * fail over, and check what an application sees through the Service; then the rejoin of the old primary.
 */
@org.junit.jupiter.api.Tag("real-servers")
class FailoverEndToEndIT {

  private static final int MARKERS = 100;
  private static final String RUN = "recovery-fabrica-agentes.postgresql";
  private static final String REJOIN = "rejoin-fabrica-agentes.postgresql";
  private static final int DIVERGED = 3;

  @TempDir Path logs;
  private LabProcesses processes;
  private Lab lab;
  private LabStatus status;
  private Map<String, String> env;

  @BeforeEach
  void labUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    processes = LabProcesses.up(logs);
    lab = processes.lab;
    status = processes.status;
    env = processes.env;
  }

  @AfterEach
  void labDown() throws Exception {
    if (processes != null) {
      processes.close();
    }
  }

  /**
   * Then the rejoin the failover offers: approved, it brings the old primary back as a streaming
   * standby of the new one, and the writes it alone had (made while its standby no longer received)
   * are gone from it and counted in the rejoin's report.
   */
  @Test
  void failoverMovesTheServiceToTheNewPrimaryKeepsReplicatedDataAndFencesTheOldOneThenTheRejoinBringsItBack() throws Exception {
    long lastMarker = writeReplicatedMarkers();
    writeDivergedRows();
    assertEquals("postgresql-0", lab.killPrimary());

    CliRun run = PgdrProcess.run(logs, env, Duration.ofMinutes(3),
        "failover", "promote-replica", "--target", status.targetFile().toString(), "--yes", "--follow", "--output", "json");

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText());
    assertEquals("postgresql-1", report.path("result").path("newPrimary").asText());
    assertWritesThroughServiceReach("postgresql-1");
    assertEquals(MARKERS, markersThroughService(lastMarker), "every marker committed and replicated before the kill");

    // The StatefulSet brings the old primary's pod back (pod deleted -> recreated, server restarted):
    // it must come back unable to take writes.
    try (KubernetesClient kubernetes = lab.kubernetesClient()) {
      kubernetes.pods().inNamespace(KubernetesFixture.NAMESPACE).withName("postgresql-0").delete();
    }
    PostgresNode oldPrimary = pair().nodes().get(0);
    await().atMost(Duration.ofSeconds(60)).until(oldPrimary::acceptsConnections);
    SQLException refused = assertThrows(SQLException.class, () -> {
      try (Connection c = oldPrimary.connect(pair().database()); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO stories (title) VALUES ('split brain')");
      }
    });
    assertEquals("25006", refused.getSQLState(), "read-only transaction: " + refused.getMessage());

    CliRun again = PgdrProcess.run(logs, env, Duration.ofMinutes(1), "status", RUN, "--output", "json");
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals("succeeded", Json.MAPPER.readTree(again.out()).path("outcome").asText());

    assertTheOfferedRejoinBringsTheOldPrimaryBack(oldPrimary);
  }

  private void assertTheOfferedRejoinBringsTheOldPrimaryBack(PostgresNode oldPrimary) throws Exception {
    WorkflowClient temporal = new TemporalConnection(status.temporalAddress(), "default").client();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> pendingApproval(temporal, REJOIN));
    CliRun approve = PgdrProcess.run(logs, env, Duration.ofMinutes(1), "approve", REJOIN, "--reason", "bring the old primary back");
    assertEquals(0, approve.exitCode(), approve.toString());
    CliRun followed = PgdrProcess.run(logs, env, Duration.ofMinutes(3), "status", REJOIN, "--follow", "--output", "json");
    assertEquals(0, followed.exitCode(), followed.toString());
    JsonNode rejoin = Json.MAPPER.readTree(followed.out());
    assertEquals("succeeded", rejoin.path("outcome").asText(), rejoin.toString());
    JsonNode server = rejoin.path("result").path("servers").get(0);
    assertEquals("postgresql-0", server.path("pod").asText(), rejoin.path("result").toString());
    assertEquals(DIVERGED, server.path("divergence").path("divergedCommits").asInt(), "the old primary's own commits, counted: " + server);
    assertTrue(rejoin.path("message").asText().contains(DIVERGED + " transactions committed"), rejoin.path("message").asText());

    PostgresNode newPrimary = pair().nodes().get(1);
    try (Connection c = newPrimary.connect(pair().database()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT state FROM pg_stat_replication WHERE application_name = 'postgresql-0'")) {
      assertTrue(rs.next(), "postgresql-1 streams to postgresql-0");
      assertEquals("streaming", rs.getString(1));
      s.executeUpdate("INSERT INTO stories (title) VALUES ('after the rejoin')");
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> count(oldPrimary, "SELECT count(*) FROM stories WHERE title = 'after the rejoin'") == 1);
    assertEquals(0, count(oldPrimary, "SELECT count(*) FROM stories WHERE title LIKE 'diverged %'"), "the diverged writes are gone");
    assertEquals(1, count(oldPrimary, "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'"));
    try (KubernetesClient kubernetes = lab.kubernetesClient()) {
      Map<String, String> annotations = kubernetes.apps().statefulSets().inNamespace(KubernetesFixture.NAMESPACE)
          .withName(KubernetesFixture.STATEFUL_SET).get().getMetadata().getAnnotations();
      assertFalse(annotations.getOrDefault("pgdr.io/fenced-pods", "").contains("postgresql-0"), "the fence is lifted: " + annotations);
      assertFalse(annotations.containsKey("pgdr.io/held-pods"), "nothing held: " + annotations);
    }
  }

  /**
   * The standby stops receiving (its primary_conninfo emptied), then the primary commits rows only
   * it has: what a failover of the standby loses, and a rejoin of the old primary discards.
   */
  private void writeDivergedRows() throws Exception {
    PostgresNode primary = pair().nodes().get(0);
    PostgresNode standby = pair().nodes().get(1);
    try (Connection c = standby.connect(pair().database()); Statement s = c.createStatement()) {
      s.execute("ALTER SYSTEM SET primary_conninfo = ''");
      s.execute("SELECT pg_reload_conf()");
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> count(standby, "SELECT count(*) FROM pg_stat_wal_receiver") == 0);
    try (Connection c = primary.connect(pair().database()); Statement s = c.createStatement()) {
      for (int i = 1; i <= DIVERGED; i++) {
        s.executeUpdate("INSERT INTO stories (title) VALUES ('diverged " + i + "')");
      }
    }
  }

  private long count(PostgresNode node, String sql) throws SQLException {
    try (Connection c = node.connect(pair().database()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void workerKilledMidRunIsReplacedAndTheRunCompletesWithEachChangeMadeOnce() throws Exception {
    long lastMarker = writeReplicatedMarkers();
    lab.killPrimary();
    PgdrProcess cli = PgdrProcess.start(logs, env,
        "failover", "promote-replica", "--target", status.targetFile().toString(), "--follow", "--output", "json");

    WorkflowClient temporal = new TemporalConnection(status.temporalAddress(), "default").client();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> pendingApproval(temporal));
    // the operator following the run has seen what to approve before the worker dies
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> cli.stderr().contains("approval needed"));

    processes.killWorker(); // SIGKILL while the run waits for its approval
    CliRun approve = PgdrProcess.run(logs, env, Duration.ofMinutes(1), "approve", RUN, "--reason", "node lost, e2e");
    // no worker checked it yet: sent, not reported as taken
    assertEquals(ExitCodes.UNAVAILABLE, approve.exitCode(), approve.toString());
    assertTrue(approve.err().contains("sent, not yet applied"), approve.err());
    // the signal grew the history, so the follower asks again and finds no worker: it says so before one is back
    // (a new worker started at once could answer within the follower's patience, and the line would never show)
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> cli.stderr().contains("no worker answers right now"));
    processes.startWorker();

    CliRun run = cli.await(Duration.ofMinutes(3));
    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText());
    assertEquals("node lost, e2e", report.path("approvals").get(0).path("reason").asText());
    assertTrue(run.err().contains("no worker answers right now"), "the follower said the run waits for a worker: " + run.err());

    List<HistoryEvent> history = temporal.fetchHistory(RUN).getEvents();
    assertEquals(1, localActivitiesOf(history, "PromoteServer"), "promotion is a local activity: one recorded result");
    assertEquals(1, localActivitiesOf(history, "RepointService"), "repoint is a local activity: one recorded result");
    assertEquals(1, activitiesOf(history, "RestartDeployments", EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED));
    assertEquals(1, activitiesOf(history, "RestartDeployments", EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED));
    assertWritesThroughServiceReach("postgresql-1");
    assertEquals(MARKERS, markersThroughService(lastMarker));
  }

  private static boolean pendingApproval(WorkflowClient temporal) {
    return pendingApproval(temporal, RUN);
  }

  private static boolean pendingApproval(WorkflowClient temporal, String run) {
    try {
      RunStatus s = temporal.newUntypedWorkflowStub(run).query("status", RunStatus.class);
      return s.pendingApproval() != null;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** Events of one kind for one activity type; completions are matched to their scheduling. */
  private static long activitiesOf(List<HistoryEvent> history, String activityType, EventType kind) {
    Map<Long, String> scheduled = new HashMap<>();
    for (HistoryEvent e : history) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      }
    }
    return history.stream().filter(e -> e.getEventType() == kind).filter(e -> switch (kind) {
      case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> activityType.equals(scheduled.get(e.getEventId()));
      case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> activityType.equals(scheduled.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId()));
      default -> false;
    }).count();
  }

  /** Results of a local activity recorded in history (one marker per completed execution). */
  private static long localActivitiesOf(List<HistoryEvent> history, String activityType) {
    return history.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED)
        .map(e -> e.getMarkerRecordedEventAttributes().getDetailsMap().get("type"))
        .filter(type -> type != null && type.getPayloadsCount() > 0)
        .filter(type -> ("\"" + activityType + "\"").equals(type.getPayloads(0).getData().toStringUtf8()))
        .count();
  }

  private PostgresPair pair() {
    return lab.pair();
  }

  private long writeReplicatedMarkers() throws Exception {
    return new Markers(status.serviceEndpoint(), pair()).writeReplicated(MARKERS, "postgresql-1");
  }

  private long markersThroughService(long lastMarker) throws SQLException {
    return new Markers(status.serviceEndpoint(), pair()).countThroughService(lastMarker);
  }

  /** A new connection through the Service lands on the new primary, which takes the write. */
  private void assertWritesThroughServiceReach(String pod) throws SQLException {
    Properties login = new Properties();
    login.setProperty("user", pair().superuser());
    login.setProperty("password", pair().password());
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + status.serviceEndpoint() + "/" + pair().database(), login);
         Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("INSERT INTO stories (title) VALUES ('after failover')"));
      try (ResultSet rs = s.executeQuery("SELECT inet_server_port(), pg_is_in_recovery()")) {
        rs.next();
        assertEquals(Integer.parseInt(status.pods().get(pod).split(":")[1]), rs.getInt(1), "the Service reaches " + pod);
        assertFalse(rs.getBoolean(2));
      }
    }
  }
}
