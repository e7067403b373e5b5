package io.pgdr.cli.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.backup.BackupActivitiesImpl;
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
import picocli.CommandLine.Command;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = {"List the target's backups, newest first, with age, size and validity (checked newest first until one passes; the latest valid one is what `pgdr restore` uses). Exit code 1 when none is valid."})
final class BackupListCommand extends BackupTargetCommand {

  @Override
  public Integer call() {
    DatabaseTarget target = BackupTargets.read(targetFile);
    BackupCatalog catalog;
    try (KubernetesClient k8s = kubernetes.client(); S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      catalog = BackupTargets.call(k8s, () -> new BackupActivitiesImpl(
          new CredentialResolver(k8s, System::getenv, CredentialResolver.SHELL_ENVIRONMENT), s3).listBackups(target.backups()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(catalog));
    } else {
      print(out, catalog, Instant.now());
    }
    out.flush();
    return catalog.latestValid().isPresent() ? ExitCodes.OK : ExitCodes.RUN_FAILED;
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
