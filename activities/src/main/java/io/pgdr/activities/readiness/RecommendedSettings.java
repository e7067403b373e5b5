package io.pgdr.activities.readiness;

import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.ReadinessReport.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runbook 000 §6's recommended postgresql.conf, each setting of the primary judged against it. */
final class RecommendedSettings {

  /** The settings read, in the runbook's order. */
  static final List<String> NAMES = List.of("wal_level", "max_wal_senders", "max_replication_slots", "hot_standby", "synchronous_commit");

  private RecommendedSettings() {}

  static List<Item> judge(Map<String, String> settings) {
    List<Item> items = new ArrayList<>();
    String walLevel = settings.get("wal_level");
    items.add(Set.of("replica", "logical").contains(walLevel) ? ReadinessCheck.pass("wal_level", walLevel)
        : new Item("wal_level", ReadinessReport.FAIL, walLevel + ": no standby can follow, no WAL archive can serve a recovery",
            "wal_level = replica, then restart the server"));
    items.add(atLeast(settings, "max_wal_senders", 5, "each standby, pg_basebackup and pg_rewind take a sender"));
    items.add(atLeast(settings, "max_replication_slots", 5, "slots keep WAL for a standby that falls behind"));
    String hotStandby = settings.get("hot_standby");
    items.add("on".equals(hotStandby) ? ReadinessCheck.pass("hot_standby", "on")
        : new Item("hot_standby", ReadinessReport.WARN, hotStandby + ": standbys take no queries, pgdr cannot check their data before a failover",
            "hot_standby = on"));
    String commit = settings.get("synchronous_commit");
    items.add(Set.of("on", "remote_apply", "remote_write").contains(commit) ? ReadinessCheck.pass("synchronous_commit", commit)
        : new Item("synchronous_commit", ReadinessReport.WARN, commit + ": a crash can lose commits the clients were told of",
            "synchronous_commit = on"));
    return items;
  }

  private static Item atLeast(Map<String, String> settings, String name, int recommended, String why) {
    String value = settings.get(name);
    int number;
    try {
      number = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return new Item(name, ReadinessReport.WARN, "not read (" + value + ")", name + " = " + recommended);
    }
    return number >= recommended ? ReadinessCheck.pass(name, value)
        : new Item(name, ReadinessReport.WARN, value + ", below the runbook's " + recommended + ": " + why, name + " = " + recommended
            + ", then restart the server");
  }
}
