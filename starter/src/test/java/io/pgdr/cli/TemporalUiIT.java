package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import io.pgdr.lab.TemporalDevServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Temporal UI in a real browser, as an operator uses it: the real Temporal server (the Temporal
 * CLI's dev server, with its Web UI), a {@code pgdr worker} against it and the lab's PostgreSQL,
 * Kubernetes API and S3. The operator starts a RestoreFromBackup from the UI's Start Workflow page
 * with the JSON of {@code docs/ui-start-examples/}, finds the run with the README's list filters,
 * reads its summary and current details (the pending approval, its plan, the {@code decide} input),
 * sees a decision by an approver outside the allow-list refused in the Send Update dialog, approves,
 * and sees the run complete and the data back. Each stage leaves a screenshot in
 * {@code starter/target/ui-screenshots/} (the ones in {@code docs/ui/} come from there).
 */
@Tag("real-servers")
class TemporalUiIT {

  private static final String WORKFLOW_ID = "recovery-fabrica-agentes.postgresql";
  private static final String SUMMARY = "RestoreFromBackup of fabrica-db, started from the Temporal UI";
  private static final Path SCREENSHOTS = PgdrProcess.ROOT.resolve("starter/target/ui-screenshots");
  private static final String CURRENT_DETAILS = "//h3[normalize-space()='Current Details']/following::iframe[1]";
  private static final Path LOGS = PgdrProcess.ROOT.resolve("starter/target/ui-e2e-logs");

  private Lab lab;
  private LabStatus status;
  private PgdrProcess worker;
  private HeadlessChromium browser;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void labTemporalAndWorkerUp() throws Exception {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(), "apt-get install postgresql");
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    RequiredComponent.require("the Temporal CLI ($" + TemporalDevServer.BINARY_ENV + ", " + TemporalDevServer.cachedBinary()
        + " or temporal on PATH)", TemporalDevServer.binary().isPresent(), "scripts/temporal-cli builds it into the cache");
    HeadlessChromium.require();
    Files.createDirectories(LOGS);

    Path labDir = Files.createTempDirectory("pgdr-ui");
    env.put("PGDR_LAB_DIR", labDir.toString());
    lab = Lab.at(labDir); // taken down after the test even when lab up fails halfway
    CliRun up = PgdrProcess.run(LOGS, env, Duration.ofMinutes(3), "lab", "up", "--output", "json");
    assertEquals(0, up.exitCode(), up.toString());
    status = LabStatus.fromJson(up.out());
    // the lab runs the real server (the Temporal CLI is present, checked above): its UI is what an operator opens
    assertNotNull(status.temporalUi(), "the lab fell back to the Java test service: " + status.temporalFallback());
    env.put("TEMPORAL_ADDRESS", status.temporalAddress());
    env.put("KUBECONFIG", status.kubeconfig().toString());
    worker = PgdrProcess.start(LOGS, env, "worker");
    // a plain wait for the worker's first line, so that a worker that cannot start says so here
    Awaitility.await("pgdr worker connected").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          if (!worker.isAlive()) {
            throw new AssertionError("pgdr worker exited: " + worker.stderr());
          }
          return worker.stderr().contains("pgdr worker: connected");
        });
  }

  @AfterEach
  void down() throws Exception {
    // each in its own finally: a browser that fails to close must not leave the worker or the lab running
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      try {
        if (worker != null) {
          worker.kill();
        }
      } finally {
        if (lab != null) {
          lab.down(line -> { });
        }
      }
    }
  }

  @Test
  void anOperatorStartsARestoreInTheUiFindsItSeesAStrangerRefusedApprovesItAndSeesItComplete() throws Exception {
    sql("INSERT INTO stories (title) SELECT 'story ' || g FROM generate_series(1, 500) g");
    backupRun();
    String atBackup = fingerprint();
    sql("DELETE FROM stories WHERE id % 2 = 0"); // the data gone bad
    // an earlier run of the same database, from the CLI: a plan, which changes nothing
    CliRun plan = PgdrProcess.run(LOGS, env, Duration.ofMinutes(2), "restore", "--target", status.targetFile().toString(), "--plan");
    assertEquals(0, plan.exitCode(), plan.toString());

    clearScreenshots();
    browser = HeadlessChromium.start(SCREENSHOTS, LOGS.resolve("chromedriver.log"));
    try {
      startFromTheStartWorkflowPage();
      findTheRunsWithTheReadmeFilters();
      readTheSummaryAndCurrentDetails();
      String decide = decideInput();
      sendDecide(decide.replace("\"by\": \"...\"", "\"by\": \"mallory\"").replace("\"reason\": \"...\"", "\"reason\": \"restore from the UI\""));
      seeTheRefusal();
      sendDecide(decide.replace("\"by\": \"...\"", "\"by\": \"alice\"").replace("\"reason\": \"...\"", "\"reason\": \"half the stories lost\""));
      seeTheRunComplete();
    } catch (Throwable failure) {
      browser.screenshot("failure");
      browser.savePage("failure");
      throw failure;
    }
    assertEquals(atBackup, fingerprint(), "the live database holds the backup's data again");
  }

  /** Start Workflow: the IDs and the input of docs/ui-start-examples/RestoreFromBackup.json, typed in. */
  private void startFromTheStartWorkflowPage() throws Exception {
    JsonNode example = Json.MAPPER.readTree(PgdrProcess.ROOT.resolve("docs/ui-start-examples/RestoreFromBackup.json").toFile());
    ObjectNode input = (ObjectNode) example.path("input").deepCopy();
    // what a user changes in the example for their own target: here the lab's endpoints, and an approver
    ObjectNode target = (ObjectNode) input.path("target");
    ObjectNode endpoints = ((ObjectNode) target.path("postgres")).putObject("endpoints");
    status.pods().forEach(endpoints::put);
    ((ObjectNode) target.path("backups")).put("endpoint", status.s3Endpoint());
    ((ObjectNode) target.path("approval")).putArray("approvers").add("alice");

    browser.open(status.temporalUi() + "/namespaces/default/workflows");
    browser.click("//*[self::a or self::button][normalize-space()='Start Workflow']");
    browser.type("//input[@id='workflowId']", example.path("workflowId").asText());
    browser.type("//input[@id='taskQueue']", example.path("taskQueue").asText());
    browser.type("//input[@id='workflowType']", example.path("workflowType").asText());
    browser.shown("//*[normalize-space()='Task Queue is Active']");
    browser.click("(//div[contains(@class, 'cm-content')])[1]");
    browser.keys(input.toString()); // on one line: the editor indents each new line itself
    browser.click("//h1[normalize-space()='Start a Workflow']"); // out of the editor, which then lays the JSON out
    JsonNode typed = Json.MAPPER.readTree(browser.text("(//div[contains(@class, 'cm-content')])[1]"));
    assertEquals(input, typed, "the Input field holds the JSON typed");
    browser.click("//button[normalize-space()='More options']");
    browser.click("//label[normalize-space()='Summary']/following::div[contains(@class, 'cm-content')][1]");
    browser.keys(SUMMARY);
    browser.click("//h1[normalize-space()='Start a Workflow']");
    browser.windowSize(1280, 1900);
    browser.screenshot("01-start-workflow");
    browser.windowSize(1280, 900);
    browser.click("//button[@data-testid='start-workflow-button']");
    browser.click("//button[preceding-sibling::p[contains(normalize-space(), 'Workflow started successfully')]]"); // the toast, closed
  }

  /** The run list's query box, with the filters docs/ui.md and the README give. */
  private void findTheRunsWithTheReadmeFilters() throws Exception {
    browser.click("//a[@data-testid='back-to-workflows']");
    browser.click("//button[@data-testid='toggle-manual-query']");
    search("PgdrDatabase = 'fabrica-db'", 2);
    browser.screenshot("02-runs-of-fabrica-db");
    search("ExecutionStatus = 'Running' AND PgdrApprovalPending = true", 1);
    browser.screenshot("03-awaiting-approval");
  }

  /** Types the query and searches until the list shows {@code rows} runs (the run sets its attributes as it goes). */
  private void search(String query, int rows) {
    browser.await(Duration.ofSeconds(60), rows + " runs for " + query, () -> {
      browser.shown("//input[@id='query']").clear();
      browser.type("//input[@id='query']", query);
      browser.click("//button[@data-testid='manual-search-button']");
      return waitBriefly(() -> browser.count("//table//a[normalize-space()='" + WORKFLOW_ID + "']") == rows);
    });
  }

  private boolean waitBriefly(java.util.function.BooleanSupplier shown) {
    for (int i = 0; i < 10; i++) {
      if (shown.getAsBoolean()) {
        return true;
      }
      sleep(300);
    }
    return false;
  }

  /** The run's page, tab User Metadata: the summary typed at the start, and the current details the run keeps. */
  private void readTheSummaryAndCurrentDetails() throws Exception {
    browser.click("//table//a[normalize-space()='" + WORKFLOW_ID + "']");
    browser.click("//a[normalize-space()='User Metadata']");
    String details = browser.await(Duration.ofSeconds(30), "the pending approval in the current details", () -> {
      String text = currentDetails();
      if (text.contains("Approval pending")) {
        return text;
      }
      browser.click("//h3[normalize-space()='Current Details']");
      browser.keys("r"); // the tab's own key for fresh details
      return null;
    });
    String summary = browser.frameText("//h3[normalize-space()='Summary']/following::iframe[1]", "//body");
    assertTrue(summary.contains(SUMMARY), "the summary typed at the start: " + summary);
    assertTrue(details.contains("awaiting-approval"), details);
    for (String step : new String[] {"stop-writers", "restore", "check-restore", "swap", "verify", "restart-writers"}) {
      assertTrue(details.contains(step + " ["), "the plan lists " + step + ": " + details);
    }
    assertTrue(details.contains("by one of: alice"), details);
    String decide = decideInput();
    assertEquals("restore", Json.MAPPER.readTree(decide).path("step").asText(), "the decide input is JSON, ready to copy: " + decide);
    tallScreenshot("04-current-details");
  }

  private String currentDetails() {
    return browser.frameText(CURRENT_DETAILS, "//body");
  }

  /** The {@code decide} input the current details give, in a code span of its own. */
  private String decideInput() {
    return browser.frameText(CURRENT_DETAILS, "//code[starts-with(normalize-space(), '{')]");
  }

  /**
   * More Actions, Send an Update, {@code decide}, the input pasted from the current details with the
   * approver filled in. From the History tab: on User Metadata the page takes the key R (fresh
   * details) even inside the dialog's editor.
   */
  private void sendDecide(String input) {
    if (browser.isShown("//button[normalize-space()='Cancel']")) {
      browser.click("//button[normalize-space()='Cancel']");
    }
    browser.click("//a[starts-with(normalize-space(), 'History')]");
    browser.click("//button[normalize-space()='More Actions']");
    browser.click("//*[@data-testid='update-button']");
    browser.click("//*[@data-testid='update-select-button']");
    browser.click("//ul[@id='update-select-select']/li[.//span[normalize-space()='decide']]");
    browser.click("//form//div[contains(@class, 'cm-content')]");
    browser.keys(input);
    browser.click("//input[@id='update-id']"); // out of the editor first: it lays the JSON out, and the buttons move
    browser.click("//button[normalize-space()='Submit']");
  }

  private void seeTheRefusal() throws Exception {
    String alert = browser.await(Duration.ofSeconds(20), "the refusal in the Send an Update dialog",
        () -> browser.text("//form//*[contains(normalize-space(), 'mallory is not among the approvers [alice]')]"));
    assertTrue(alert.contains("phase awaiting-approval"), alert);
    assertFalse(browser.text("//form").contains("validateDecide"), "the reason alone, no stack trace: " + browser.text("//form"));
    browser.screenshot("05-refused");
    assertTrue(browser.text("//header").contains("Running"), "the run still waits");
  }

  private void seeTheRunComplete() throws Exception {
    browser.shown("//*[normalize-space()='Update successful']");
    browser.await(Duration.ofSeconds(60), "the run completed", () -> browser.text("//header").contains("Completed"));
    browser.shown("//*[contains(normalize-space(), '\"outcome\": \"succeeded\"')]");
    browser.screenshot("06-completed");
    browser.click("//a[normalize-space()='User Metadata']");
    String details = browser.await(Duration.ofSeconds(20), "the report in the current details", () -> {
      String text = currentDetails();
      return text.contains("succeeded") && text.contains("approved by alice") ? text : null;
    });
    assertTrue(details.contains("sent from the Temporal UI or an API client (identity not given)"), details);
    assertTrue(details.contains("half the stories lost"), details);
    tallScreenshot("07-completed-details");
  }

  /** A screenshot of a window tall enough for the run's current details. */
  private void tallScreenshot(String name) throws Exception {
    browser.windowSize(1280, 1100);
    try {
      sleep(500); // the details' frame takes its new height
      browser.screenshot(name);
    } finally {
      browser.windowSize(1280, 900);
    }
  }

  private static void clearScreenshots() throws Exception {
    if (Files.isDirectory(SCREENSHOTS)) {
      try (var old = Files.list(SCREENSHOTS)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
    }
  }

  private String backupRun() throws Exception {
    CliRun backup = PgdrProcess.run(LOGS, env, Duration.ofMinutes(3), "backup", "run", "--target", status.targetFile().toString(), "--output", "json");
    assertEquals(0, backup.exitCode(), backup.toString());
    return Json.MAPPER.readTree(backup.out()).path("key").asText();
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = lab.pair().primary().connect(lab.pair().database()); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private String fingerprint() throws SQLException {
    try (Connection c = lab.pair().primary().connect(lab.pair().database()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM stories t")) {
      rs.next();
      return rs.getLong(1) + ":" + rs.getString(2);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
