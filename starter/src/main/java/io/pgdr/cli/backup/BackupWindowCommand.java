package io.pgdr.cli.backup;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.activities.backup.PhysicalArchiveReader;
import io.pgdr.activities.backupformat.BaseBackup;
import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.target.DatabaseTarget;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "window", mixinStandardHelpOptions = true,
    description = {"Show what the target's physical archive (base backups under base/, WAL under wal/) can recover to, per timeline: "
        + "each base backup's start and stop, the WAL after it without a gap, every gap and timeline switch (like pgbackrest info). "
        + "With --target-time or --target-lsn, say which timeline and base backup serve that target, or why none does (exit code 2)."})
final class BackupWindowCommand extends BackupTargetCommand {

  @Option(names = "--target-time", description = "check a recovery target time: 'YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]' (no zone: UTC)")
  String targetTime;

  @Option(names = "--target-lsn", description = "check a recovery target WAL location, e.g. 0/3000028")
  String targetLsn;

  @Option(names = "--target-timeline", description = "the timeline of --target-lsn, when two timelines wrote it")
  Integer targetTimeline;

  /** What {@code --output json} prints. */
  record WindowView(String location, long segmentSize, List<RecoverableWindow.Timeline> timelines, List<BaseBackup> baseBackups,
      List<String> partials, List<String> problems, RecoverableWindow.Resolution served, String refused) {}

  @Override
  public Integer call() {
    if (targetTime != null && targetLsn != null) {
      throw CliException.badInput("--target-time and --target-lsn exclude each other", "give one");
    }
    if (targetTimeline != null && targetLsn == null) {
      throw CliException.badInput("--target-timeline goes with --target-lsn", null);
    }
    DatabaseTarget target = BackupTargets.read(targetFile);
    RecoverableWindow window;
    try (KubernetesClient k8s = kubernetes.client(); S3Clients s3 = new S3Clients(CredentialResolver.SHELL_ENVIRONMENT)) {
      window = BackupTargets.call(k8s, () -> new PhysicalArchiveReader(s3).read(target.backups()));
    }
    RecoverableWindow.Resolution served = null;
    String refused = null;
    if (targetTime != null || targetLsn != null) {
      try {
        RecoverableWindow.Target wanted = targetTime != null ? new RecoverableWindow.TimeTarget(RecoverableWindow.parseTime(targetTime))
            : new RecoverableWindow.LsnTarget(RecoverableWindow.parseLsn(targetLsn), targetTimeline);
        served = window.resolve(wanted, Instant.now());
      } catch (RecoverableWindow.TargetRefused e) {
        refused = e.getMessage();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(new WindowView(target.backups().url(), window.segmentSize(), window.timelines(), window.baseBackups(),
          window.partials(), window.problems(), served, refused)));
    } else {
      print(out, target.backups().url(), window);
      if (served != null) {
        out.printf("target served by timeline %d from base backup %s: %d segments at least (%s .. %s, %s), WAL without a gap to %s%n",
            served.timeline(), served.base().label(), served.segments().size(), served.segments().get(0),
            served.segments().get(served.segments().size() - 1), BackupListCommand.size(served.segmentBytes()), served.lastAvailable());
      }
      if (refused != null) {
        out.println("target refused: " + refused);
      }
    }
    out.flush();
    return refused != null ? ExitCodes.BAD_INPUT : ExitCodes.OK;
  }

  static void print(PrintWriter out, String location, RecoverableWindow window) {
    out.printf("physical archive under %s (WAL segments of %s)%n", location, BackupListCommand.size(window.segmentSize()));
    if (window.timelines().isEmpty() && window.baseBackups().isEmpty()) {
      out.println("  (no base backups under base/, no WAL under wal/)");
    }
    for (RecoverableWindow.Timeline t : window.timelines()) {
      out.printf("%ntimeline %d%s%n", t.timeline(), t.parent() == 0 ? ""
          : " (branched from timeline " + t.parent() + " at " + t.begin() + (t.createdBy() == null ? "" : ", history stored " + t.createdBy()) + ")");
      out.printf("  wal archive: %s%n", t.segments() == 0 ? "no segments"
          : t.firstSegment() + " .. " + t.lastSegment() + " (" + t.segments() + " segments, last stored " + t.lastStoredAt() + ")");
      for (RecoverableWindow.Gap g : t.gaps()) {
        out.printf("  gap: %s%s (%d segment%s missing)%n", g.from(), g.missing() > 1 ? " .. " + g.to() : "", g.missing(), g.missing() > 1 ? "s" : "");
      }
      for (RecoverableWindow.Child c : t.children()) {
        out.printf("  switch: timeline %d branched off at %s (%s)%n", c.timeline(), c.at(), c.reason());
      }
      for (BaseBackup b : window.baseBackups()) {
        if (b.timeline() == t.timeline() && b.usable()) {
          out.printf("  base backup %s: start %s %s, stop %s %s, %s (%s)%n", b.label(), b.startLsn(), time(b.startTime()), b.stopLsn(),
              time(b.stopTime()), BackupListCommand.size(b.sizeBytes()), b.source());
        }
      }
      for (RecoverableWindow.Range r : t.recoverable()) {
        out.printf("  recoverable from base %s: %s%n", r.base(), r.problem() != null ? "no: " + r.problem()
            : r.from() + " " + time(r.fromTime()) + " to " + r.to() + " (" + r.lastSegment() + ", stored " + r.toBy() + ")");
      }
    }
    List<BaseBackup> unusable = window.baseBackups().stream().filter(b -> !b.usable()).toList();
    if (!unusable.isEmpty()) {
      out.printf("%nbase backups that cannot serve a recovery:%n");
      unusable.forEach(b -> out.printf("  %s: %s%n", b.label(), b.problem()));
    }
    if (!window.partials().isEmpty()) {
      out.printf("%npartial segments (left by promotions, not read by recovery): %s%n", String.join(", ", window.partials()));
    }
    List<String> problems = window.problems().stream().filter(p -> !p.startsWith("base backup ")).toList();
    if (!problems.isEmpty()) {
      out.printf("%nproblems:%n");
      problems.forEach(p -> out.println("  " + p));
    }
  }

  private static String time(Instant time) {
    return time == null ? "(time unknown)" : "(" + time + ")";
  }
}
