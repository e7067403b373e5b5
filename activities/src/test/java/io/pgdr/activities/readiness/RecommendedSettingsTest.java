package io.pgdr.activities.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.ReadinessReport.Item;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runbook 000 §6's postgresql.conf, each setting judged with its fix. */
class RecommendedSettingsTest {

  private static List<String> judged(Map<String, String> settings) {
    return RecommendedSettings.judge(settings).stream().map(i -> i.check() + " " + i.status()).toList();
  }

  @Test
  void theRunbooksSettingsPass() {
    assertEquals(List.of("wal_level pass", "max_wal_senders pass", "max_replication_slots pass", "hot_standby pass", "synchronous_commit pass"),
        judged(Map.of("wal_level", "replica", "max_wal_senders", "5", "max_replication_slots", "10", "hot_standby", "on",
            "synchronous_commit", "on")));
  }

  @Test
  void eachSettingBelowTheRunbookSaysWhyAndTheFix() {
    List<Item> items = RecommendedSettings.judge(Map.of("wal_level", "minimal", "max_wal_senders", "2", "max_replication_slots", "x",
        "hot_standby", "off", "synchronous_commit", "off"));

    assertEquals(List.of("wal_level fail", "max_wal_senders warn", "max_replication_slots warn", "hot_standby warn", "synchronous_commit warn"),
        items.stream().map(i -> i.check() + " " + i.status()).toList());
    assertEquals(ReadinessReport.FAIL, items.get(0).status());
    assertEquals("wal_level = replica, then restart the server", items.get(0).fix());
    assertEquals("2, below the runbook's 5: each standby, pg_basebackup and pg_rewind take a sender", items.get(1).detail());
    assertEquals("not read (x)", items.get(2).detail());
  }
}
