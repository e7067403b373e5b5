package io.pgdr.ports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every port declares how each of its calls runs, and long calls cannot get short timeouts. */
class CallTablesTest {

  private static final List<CallTable<?>> TABLES = List.of(KubernetesActivities.CALLS, PostgresActivities.CALLS,
      BackupActivities.CALLS, RestoreActivities.CALLS, NotificationActivities.CALLS, PitrActivities.CALLS,
      RunActivities.CALLS, ReportActivities.CALLS, ReadinessActivities.CALLS, PatroniActivities.CALLS, RejoinActivities.CALLS);

  @Test
  void everyMethodOfEveryPortHasItsOptions() {
    for (CallTable<?> table : TABLES) {
      for (var method : table.port().getMethods()) {
        assertTrue(table.calls().containsKey(method.getName()), table.port().getSimpleName() + "." + method.getName());
      }
    }
  }

  @Test
  void callsThatWaitOrStreamHeartbeatAndMayRunForMinutes() {
    for (CallOptions options : List.of(KubernetesActivities.CALLS.optionsOf("awaitPodReady"),
        KubernetesActivities.CALLS.optionsOf("awaitWritersReady"), PostgresActivities.CALLS.optionsOf("verifyPrimary"),
        RestoreActivities.CALLS.optionsOf("restoreBackup"), RestoreActivities.CALLS.optionsOf("checkRestore"),
        RestoreActivities.CALLS.optionsOf("swapDatabases"), BackupActivities.CALLS.optionsOf("listBackups"))) {
      assertFalse(options.local());
      assertEquals(CallOptions.WORKER_LOST_AFTER, options.heartbeat());
      assertTrue(options.startToClose().compareTo(Duration.ofMinutes(15)) >= 0, options.toString());
    }
    assertTrue(RestoreActivities.CALLS.optionsOf("restoreBackup").startToClose().compareTo(Duration.ofHours(12)) >= 0);
  }

  @Test
  void theOutagesCriticalPathRunsAsLocalActivities() {
    for (String call : List.of("describeCluster", "fencePod", "recordPromotionIntent", "repointService", "repointConfigMap")) {
      assertTrue(KubernetesActivities.CALLS.optionsOf(call).local(), call);
    }
    for (String call : List.of("inspectServer", "fenceServer", "promoteServer")) {
      assertTrue(PostgresActivities.CALLS.optionsOf(call).local(), call);
    }
    // changing local-or-not of a call breaks the replay of recorded runs: these stay ordinary activities
    for (String call : List.of("restartDeployments", "stopWriters", "restartWriters", "keepVolumes", "recreatePod")) {
      assertFalse(KubernetesActivities.CALLS.optionsOf(call).local(), call);
    }
  }

  @Test
  void whatARetryCannotFixIsNotRetried() {
    assertTrue(RestoreActivities.CALLS.optionsOf("restoreBackup").doNotRetry().contains(FailureTypes.BACKUP_CORRUPT));
    assertTrue(BackupActivities.CALLS.optionsOf("checkBackup").doNotRetry().contains(FailureTypes.BACKUP_NOT_FOUND));
  }

  interface TwoCalls {
    void first();

    void second();
  }

  @Test
  void aTableThatMissesOrMisspellsAMethodIsRefused() {
    CallOptions quick = CallOptions.activity(Duration.ofSeconds(5), 1, Duration.ofSeconds(1));
    assertTrue(assertThrows(RuntimeException.class, () -> CallTable.of(TwoCalls.class).calls(quick, "first").build()).getMessage().contains("lacks [second]"));
    assertTrue(assertThrows(RuntimeException.class, () -> CallTable.of(TwoCalls.class).calls(quick, "first", "second", "thrid").build()).getMessage().contains("no such methods [thrid]"));
    assertTrue(assertThrows(RuntimeException.class, () -> CallTable.of(TwoCalls.class).calls(quick, "first", "first")).getMessage().contains("declared twice"));
    assertTrue(assertThrows(RuntimeException.class, () -> CallTable.of(TwoCalls.class).calls(quick, "first", "second").build().optionsOf("third")).getMessage().contains("no call third"));
  }
}
