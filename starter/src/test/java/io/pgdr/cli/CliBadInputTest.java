package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.BaseBackupResult;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.restore.RestoreFromBackupWorkflowImpl;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.BackupLocation;
import io.pgdr.worker.EmbeddedTemporal;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is refused before anything starts, with one line, a hint, and its own exit code. */
class CliBadInputTest {

  static EmbeddedTemporal temporal;

  @TempDir Path dir;

  @BeforeAll
  static void startTemporal() {
    temporal = EmbeddedTemporal.start(0);
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  private Path target(String yaml) throws IOException {
    Path file = dir.resolve("target.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  static final String VALID = String.join("\n",
      "name: fabrica-db",
      "namespace: fabrica-agentes",
      "statefulSet: postgresql",
      "service: postgresql",
      "postgres: {database: fabrica_db, credentials: {secret: postgresql-credentials}}",
      "");

  @Test
  void helpListsTheExitCodes() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains("Exit codes:"), run.out());
    assertTrue(run.out().contains("2  bad input"), run.out());
    assertTrue(run.out().contains("failover"), run.out());
  }

  @Test
  void unknownOptionIsBadInput() {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", "x.yaml", "--frobnicate");
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("--frobnicate"), run.err());
  }

  @Test
  void missingTargetFileIsBadInput() {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", dir.resolve("nope.yaml").toString(),
        "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().startsWith("pgdr: target file "), run.err());
    assertTrue(run.err().contains("hint: "), run.err());
  }

  @Test
  void databaseNameThatIsNotAnIdentifierIsBadInput() throws IOException {
    Path file = target(VALID.replace("database: fabrica_db", "database: \"fabrica; DROP DATABASE x\""));
    CliRun run = CliRun.of("failover", "promote-replica", "--target", file.toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("postgres.database"), run.err());
  }

  @Test
  void unknownFieldInTargetIsBadInput() throws IOException {
    Path file = target(VALID + "replicas: 3\n");
    CliRun run = CliRun.of("failover", "promote-replica", "--target", file.toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("unknown field 'replicas'"), run.err());
  }

  @Test
  void incidentStartThatIsNotATimeIsBadInput() throws IOException {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", target(VALID).toString(),
        "--incident-start", "yesterday", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("ISO-8601"), run.err());
  }

  @Test
  void aPitrWithoutATargetOrWithTwoIsBadInputBeforeAnythingStarts() throws IOException {
    CliRun none = CliRun.of("pitr", "--target", target(VALID).toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, none.exitCode(), none.toString());
    assertTrue(none.err().contains("give one of a time, a WAL location"), none.err());
    assertTrue(none.err().contains("pgdr backup window"), "the hint names the window command: " + none.err());

    CliRun two = CliRun.of("pitr", "--target", target(VALID).toString(), "--target-time", "2026-12-07 10:00:00", "--target-lsn", "0/3000000",
        "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, two.exitCode(), two.toString());
    assertTrue(two.err().contains("give only one of time, lsn, xid and name"), two.err());
  }

  @Test
  void noTemporalServiceIsUnavailable() throws IOException {
    CliRun run = CliRun.of("failover", "promote-replica", "--target", target(VALID).toString(), "--temporal-address", "127.0.0.1:1");
    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("no Temporal service answers at 127.0.0.1:1"), run.err());
  }

  @Test
  void statusOfAnUnknownRunIsBadInput() {
    CliRun run = CliRun.of("status", "no-such-db", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("no run of a database named no-such-db"), run.err());
  }

  @Test
  void approveOfAnUnknownRunIsBadInput() {
    CliRun run = CliRun.of("approve", "recovery-no-such-db", "--reason", "x", "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
  }

  @Test
  void labStatusWithoutALabIsUnavailable() {
    CliRun run = CliRun.of("lab", "status", "--lab-dir", dir.resolve("no-lab").toString());
    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("pgdr lab up"), run.err());
  }

  /** The error is one line and a hint, nothing more (no stack trace, no value spilling onto more lines). */
  private static void assertOneLineWithHint(CliRun run) {
    List<String> lines = run.err().lines().toList();
    assertEquals(2, lines.size(), run.toString());
    assertTrue(lines.get(0).startsWith("pgdr: ") && lines.get(1).startsWith("hint: "), run.toString());
  }

  private CliRun promote(Path target, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("failover", "promote-replica", "--target", target.toString(),
        "--temporal-address", temporal.address()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  // item 8: a newline in the host template would have split DATABASE_HOST in the apps' ConfigMap
  @Test
  void aHostTemplateWithANewlineIsBadInput() throws IOException {
    CliRun run = promote(target(VALID + "configMap: {name: fabrica-config, key: DATABASE_HOST, hostTemplate: \"{pod}.postgresql\\nX=1\"}\n"));
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("configMap.hostTemplate: '{pod}.postgresql\\nX=1' is not a host name template"), run.err());
    assertOneLineWithHint(run);
  }

  // item 9
  @Test
  void aWebhookThatIsNotAnHttpUrlIsBadInput() throws IOException {
    for (String url : new String[] {"file:///etc/passwd", "ht!tp://bad url"}) {
      CliRun run = promote(target(VALID + "notifications: {webhookUrl: \"" + url + "\"}\n"));
      assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
      assertTrue(run.err().contains("notifications.webhookUrl: not an http(s) URL with a host"), run.err());
      assertFalse(run.err().contains(url), "a webhook URL may hold a token: never echoed " + run.err());
    }
  }

  // item 10: refused before reading, so neither a big file nor an endless device is parsed
  @Test
  void aTargetOverOneMebibyteIsBadInputAndNotParsed() throws IOException {
    Path big = target(VALID + "# " + "x".repeat(10 * 1024 * 1024) + "\n");
    CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> promote(big));
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains(" bytes; a target file is at most 1 MiB"), run.err());
    assertOneLineWithHint(run);
  }

  @Test
  void aTargetThatIsNotARegularFileIsBadInput() throws Exception {
    CliRun directory = promote(dir);
    assertEquals(ExitCodes.BAD_INPUT, directory.exitCode(), directory.toString());
    assertTrue(directory.err().contains("target file " + dir + " is a directory"), directory.err());

    assumeTrue(Files.exists(Path.of("/dev/zero")), "a device to read");
    CliRun device = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> promote(Path.of("/dev/zero")));
    assertEquals(ExitCodes.BAD_INPUT, device.exitCode(), device.toString());
    assertTrue(device.err().contains("target file /dev/zero is not a regular file"), device.err());
    assertOneLineWithHint(device);

    Path fifo = dir.resolve("fifo.yaml");
    assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
    CliRun pipe = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> promote(fifo));
    assertEquals(ExitCodes.BAD_INPUT, pipe.exitCode(), pipe.toString());
    assertTrue(pipe.err().contains("is not a regular file"), pipe.err());
  }

  // item 11
  @Test
  void anIncidentStartLongAgoIsBadInputForBothRecoveries() throws IOException {
    CliRun failover = promote(target(VALID), "--incident-start", "0001-01-01T00:00:00Z");
    assertEquals(ExitCodes.BAD_INPUT, failover.exitCode(), failover.toString());
    assertTrue(failover.err().contains("--incident-start 0001-01-01T00:00:00Z is more than 30 days ago"), failover.err());
    assertOneLineWithHint(failover);

    CliRun restore = CliRun.of("restore", "--target", target(VALID + "backups: {bucket: fabrica-agentes-backups}\n").toString(),
        "--incident-start", Instant.now().minus(Duration.ofDays(31)).toString(), "--temporal-address", temporal.address());
    assertEquals(ExitCodes.BAD_INPUT, restore.exitCode(), restore.toString());
    assertTrue(restore.err().contains("is more than 30 days ago"), restore.err());
  }

  @Test
  void anIncidentStartInTheFutureIsStillBadInput() throws IOException {
    CliRun run = promote(target(VALID), "--incident-start", Instant.now().plus(Duration.ofHours(1)).toString());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("is in the future"), run.err());
  }

  // item 12: checked before connecting, so gRPC's "Invalid DNS name" never reaches the user as exit 1
  @Test
  void aTemporalAddressThatIsNotHostPortIsBadInput() throws IOException {
    for (String address : new String[] {"not:an:address", "127.0.0.1", "127.0.0.1:99999", "host name:7233"}) {
      CliRun run = CliRun.of("failover", "promote-replica", "--target", target(VALID).toString(), "--temporal-address", address);
      assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
      assertTrue(run.err().contains("--temporal-address '" + address + "' is not host:port"), run.err());
      assertTrue(run.err().contains("hint: e.g. 127.0.0.1:7233"), run.err());
      assertFalse(run.err().contains("DNS"), run.err());
    }
    CliRun status = CliRun.of("status", "fabrica-db", "--temporal-address", "not:an:address");
    assertEquals(ExitCodes.BAD_INPUT, status.exitCode(), status.toString());
  }

  // item 12: the run refuses a bucket, prefix or --backup that names nothing before changing anything: bad input, 2
  @org.junit.jupiter.api.Tag("real-servers")
  @Test
  void aRestoreThatFailsOnItsInputExitsTwoAndARealFailureOne() throws Exception {
    try (TemporalWithWorker withWorker = TemporalWithWorker.start(TaskQueues.PGDR, worker -> {
      worker.registerWorkflowImplementationTypes(RestoreFromBackupWorkflowImpl.class);
      worker.registerActivitiesImplementations(new UiDecisionsFromTheCliTest.StandInCluster(), new StandInStore());
    })) {
      CliRun noBucket = restore(withWorker, "no-bucket-db", "no-such-bucket");
      assertEquals(ExitCodes.BAD_INPUT, noBucket.exitCode(), noBucket.toString());
      assertTrue(noBucket.err().contains("bucket no-such-bucket does not exist"), noBucket.toString());

      CliRun noBackup = restore(withWorker, "no-backup-db", "fabrica-agentes-backups", "--backup", "db/nope.dump");
      assertEquals(ExitCodes.BAD_INPUT, noBackup.exitCode(), noBackup.toString());

      CliRun noneValid = restore(withWorker, "none-valid-db", "fabrica-agentes-backups");
      assertEquals(ExitCodes.RUN_FAILED, noneValid.exitCode(), "damaged backups are a failed recovery: " + noneValid);
    }
  }

  private CliRun restore(TemporalWithWorker withWorker, String name, String bucket, String... more) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, VALID.replace("name: fabrica-db", "name: " + name) + "backups: {bucket: " + bucket + ", prefix: db/}\n");
    List<String> args = new java.util.ArrayList<>(List.of("restore", "--target", file.toString(), "--yes", "--follow",
        "--temporal-address", withWorker.address()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** A store where bucket no-such-bucket does not exist, db/nope.dump neither, and the one backup there is damaged. */
  static final class StandInStore implements BackupActivities {
    @Override
    public BackupCatalog listBackups(BackupLocation location) {
      if (location.bucket().equals("no-such-bucket")) {
        throw ApplicationFailure.newNonRetryableFailure("bucket no-such-bucket does not exist at AWS S3: check backups.bucket",
            FailureTypes.LOCATION_MISSING);
      }
      return new BackupCatalog(location.url(), List.of(new BackupEntry("db/latest.dump", BackupEntry.CUSTOM, null,
          Instant.now().minusSeconds(60), 999, null, false, "pg_restore: truncated")));
    }

    @Override
    public BackupEntry checkBackup(BackupLocation location, String key) {
      throw ApplicationFailure.newNonRetryableFailure("no object " + key + " in bucket " + location.bucket(), FailureTypes.BACKUP_NOT_FOUND);
    }

    @Override
    public BackupEntry takeBackup(BackupLocation location, PostgresServer server, String backupId) {
      throw new UnsupportedOperationException("not taken here");
    }

    @Override
    public BaseBackupResult takeBaseBackup(BackupLocation location, PostgresServer server, String label) {
      throw new UnsupportedOperationException("not taken here");
    }
  }

  // item 13: parser words never reach the user; the file, line and field do
  @Test
  void yamlErrorsNameTheFileTheLineAndTheField() throws IOException {
    Path file = target(VALID + "approval:\n  approvers: alice\n");
    CliRun run = promote(file);
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().startsWith("pgdr: " + file + " line 7, approval.approvers: expected a list of names, e.g. [alice, bob]"), run.err());
    assertOneLineWithHint(run);

    CliRun duplicate = promote(target(VALID + "name: again\n"));
    assertEquals(ExitCodes.BAD_INPUT, duplicate.exitCode(), duplicate.toString());
    assertTrue(duplicate.err().contains("line 6, name: this field appears twice"), duplicate.err());
  }

  @Test
  void aLongValueIsEchoedCutShort() throws IOException {
    CliRun run = promote(target(VALID.replace("name: fabrica-db", "name: " + "x".repeat(10_000))));
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("name: '" + "x".repeat(80) + "…' is not a Kubernetes name"), run.err());
    assertTrue(run.err().length() < 500, run.err());

    CliRun incident = promote(target(VALID), "--incident-start", "y".repeat(10_000));
    assertTrue(incident.err().contains("'" + "y".repeat(80) + "…' is not an ISO-8601 instant"), incident.err());
    assertTrue(incident.err().length() < 300, incident.err());
  }

  @Test
  void aCommandLineThatDoesNotParseIsOneLineWithAHint() {
    CliRun typo = CliRun.of("failover", "promote-replica", "--target", "x.yaml", "--folow");
    assertEquals(ExitCodes.BAD_INPUT, typo.exitCode(), typo.toString());
    assertOneLineWithHint(typo);
    assertTrue(typo.err().contains("did you mean --follow?"), typo.err());

    CliRun huge = CliRun.of("failover", "promote-replica", "--target", "x.yaml", "--" + "z".repeat(10_000));
    assertEquals(ExitCodes.BAD_INPUT, huge.exitCode(), huge.toString());
    assertTrue(huge.err().length() < 2_200, "bounded: " + huge.err().length() + " characters");
  }

  // item 13: backup commands resolve credentials in this process: the message says whose environment
  @Test
  void aStoreKeyMissingFromThisShellSaysSo() throws IOException {
    String unset = "PGDR_TEST_UNSET_" + System.nanoTime();
    Path file = target(VALID + "backups: {bucket: fabrica-agentes-backups, endpoint: \"http://127.0.0.1:" + closedPort() + "\","
        + " accessKeyEnv: " + unset + ", secretKeyEnv: " + unset + "}\n");
    CliRun run = CliRun.of("backup", "list", "--target", file.toString());
    assertEquals(ExitCodes.BAD_INPUT, run.exitCode(), run.toString());
    assertTrue(run.err().contains("this shell's environment lacks " + unset), run.err());
    assertFalse(run.err().contains("worker"), run.err());
  }

  @Test
  void backupWindowChecksOneTargetAtATime() throws IOException {
    Path file = target(VALID + "backups: {bucket: fabrica-agentes-backups}\n");
    CliRun both = CliRun.of("backup", "window", "--target", file.toString(), "--target-time", "2025-01-10 02:00:00", "--target-lsn", "0/1");
    assertEquals(ExitCodes.BAD_INPUT, both.exitCode(), both.toString());
    assertTrue(both.err().contains("--target-time and --target-lsn exclude each other"), both.err());
    CliRun timeline = CliRun.of("backup", "window", "--target", file.toString(), "--target-timeline", "2");
    assertEquals(ExitCodes.BAD_INPUT, timeline.exitCode(), timeline.toString());
    assertTrue(timeline.err().contains("--target-timeline goes with --target-lsn"), timeline.err());
  }

  // item 13: an API server that does not answer is named, within seconds, not fabric8's "Operation: [get] ... failed." after 21 s
  @Test
  void anUnreachableKubernetesApiServerIsNamedQuickly() throws IOException {
    int port = closedPort();
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, String.join("\n",
        "apiVersion: v1", "kind: Config", "current-context: lab",
        "clusters: [{name: lab, cluster: {server: \"https://127.0.0.1:" + port + "\", insecure-skip-tls-verify: true}}]",
        "contexts: [{name: lab, context: {cluster: lab, user: lab, namespace: fabrica-agentes}}]",
        "users: [{name: lab, user: {token: t}}]", ""));
    Path file = target(VALID + "backups: {bucket: fabrica-agentes-backups}\n");
    for (String take : List.of("run", "base")) {
      CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(60), // a guard against a hang, not a speed figure
          () -> CliRun.of("backup", take, "--target", file.toString(), "--kubeconfig", kubeconfig.toString()));
      assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
      assertTrue(run.err().contains("Kubernetes API https://127.0.0.1:" + port + " did not answer"), run.err());
      assertFalse(run.err().contains("Operation: ["), run.err());
    }
  }

  /** A loopback port nothing listens on: bound, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
