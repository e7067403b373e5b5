package io.pgdr.cli.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.backup.BackupActivitiesImpl;
import io.pgdr.activities.backup.PhysicalArchiveReader;
import io.pgdr.activities.backupformat.BaseBackup;
import io.pgdr.activities.backupformat.PhysicalArchive;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.target.DatabaseTarget;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = {"List the target's backups, newest first, with age, size and validity (checked newest first until one passes; the latest valid one is what `pgdr restore` uses), "
        + "then the physical archive's base backups and a summary of its WAL archive. Exit code 1 when no dump or pgdr backup is valid."})
final class BackupListCommand extends BackupTargetCommand {

  @Override
  public Integer call() {
    DatabaseTarget target = BackupTargets.read(targetFile);
    BackupCatalog catalog;
    RecoverableWindow physical;
    try (KubernetesClient k8s = kubernetes.client(); S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      catalog = BackupTargets.call(k8s, () -> new BackupActivitiesImpl(
          new CredentialResolver(k8s, System::getenv, CredentialResolver.SHELL_ENVIRONMENT), s3).listBackups(target.backups()));
      physical = BackupTargets.call(k8s, () -> new PhysicalArchiveReader(s3).read(target.backups()));
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean hasPhysical = !physical.baseBackups().isEmpty() || !physical.timelines().isEmpty();
    if (output.json()) {
      out.println(Json.write(hasPhysical ? new ListView(catalog.location(), catalog.entries(), physical.baseBackups(), WalSummary.of(physical))
          : catalog));
    } else {
      print(out, catalog, Instant.now());
      if (hasPhysical) {
        printPhysical(out, catalog.location(), physical);
      }
    }
    out.flush();
    return catalog.latestValid().isPresent() ? ExitCodes.OK : ExitCodes.RUN_FAILED;
  }

  /** What {@code --output json} prints when the prefix holds a physical archive too. */
  record ListView(String location, List<BackupEntry> entries, List<BaseBackup> baseBackups, WalSummary walArchive) {}

  /** The WAL archive in one line: never its segments one by one. */
  record WalSummary(int segments, List<Integer> timelines, String first, String last, Instant lastStoredAt, long gaps, int partials) {

    static WalSummary of(RecoverableWindow window) {
      List<RecoverableWindow.Timeline> withWal = window.timelines().stream().filter(t -> t.segments() > 0).toList();
      return new WalSummary(withWal.stream().mapToInt(RecoverableWindow.Timeline::segments).sum(),
          window.timelines().stream().map(RecoverableWindow.Timeline::timeline).toList(),
          withWal.isEmpty() ? null : withWal.get(0).firstSegment(), withWal.isEmpty() ? null : withWal.get(withWal.size() - 1).lastSegment(),
          withWal.stream().map(RecoverableWindow.Timeline::lastStoredAt).max(Comparator.naturalOrder()).orElse(null),
          window.timelines().stream().mapToLong(t -> t.gaps().stream().mapToLong(RecoverableWindow.Gap::missing).sum()).sum(),
          window.partials().size());
    }
  }

  static void printPhysical(PrintWriter out, String location, RecoverableWindow physical) {
    out.println("base backups under " + location + PhysicalArchive.BASE_DIRECTORY);
    if (physical.baseBackups().isEmpty()) {
      out.println("  (none)");
    }
    for (BaseBackup b : physical.baseBackups()) {
      out.printf("  %-28s timeline %-3s start %-12s stop %-12s consistent by %-20s %10s  %s%n", b.label(), b.timeline() == 0 ? "?" : b.timeline(),
          b.startLsn() == null ? "?" : b.startLsn(), b.stopLsn() == null ? "?" : b.stopLsn(),
          b.readyBy(), size(b.sizeBytes()), b.usable() ? "from " + b.source() : "NOT USABLE: " + b.problem());
    }
    WalSummary wal = WalSummary.of(physical);
    out.printf("wal archive under %s%s: %s%n", location, PhysicalArchive.WAL_DIRECTORY, wal.segments() == 0 ? "no segments"
        : wal.segments() + " segments on timeline" + (wal.timelines().size() > 1 ? "s " : " ")
            + wal.timelines().stream().map(String::valueOf).collect(Collectors.joining(", "))
            + ", " + wal.first() + " .. " + wal.last() + ", last stored " + wal.lastStoredAt()
            + (wal.gaps() == 0 ? ", no gap" : ", " + wal.gaps() + " segment" + (wal.gaps() > 1 ? "s" : "") + " missing")
            + (wal.partials() == 0 ? "" : ", " + wal.partials() + " partial"));
    out.println("  (pgdr backup window shows what they can recover to)");
  }

  static void print(PrintWriter out, BackupCatalog catalog, Instant now) {
    out.println("backups under " + catalog.location());
    if (catalog.entries().isEmpty()) {
      out.println("  (none)");
      return;
    }
    out.printf("  %-52s %-6s %-20s %8s %10s  %s%n", "KEY", "FORMAT", "TAKEN UNTIL", "AGE", "SIZE", "CHECK");
    boolean latestMarked = false;
    for (BackupEntry e : catalog.entries()) {
      String verdict = e.valid() ? (latestMarked ? "valid" : "valid, latest") : "NOT USABLE";
      latestMarked |= e.valid();
      out.printf("  %-52s %-6s %-20s %8s %10s  %s%s%n", e.key(), e.format(), e.endTime() == null ? "-" : e.endTime().toString(),
          e.endTime() == null ? "-" : age(Duration.between(e.endTime(), now)), size(e.sizeBytes()), verdict,
          e.reason() == null ? "" : ": " + e.reason());
    }
  }

  static String age(Duration d) {
    long minutes = Math.max(0, d.toMinutes());
    return minutes < 60 ? minutes + "m" : minutes < 48 * 60 ? (minutes / 60) + "h" + (minutes % 60) + "m" : (minutes / 1440) + "d";
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
