package io.pgdr.activities.pitr;

import io.pgdr.activities.backupformat.RecoverableWindow;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The recovery PostgreSQL runs on a restored data directory (runbook 000 D.4): {@code recovery.signal},
 * and in {@code postgresql.auto.conf} the {@code restore_command} that reads pgdr's WAL spool, the
 * target, the timeline and {@code recovery_target_action = 'promote'}. The settings are removed once
 * the server has promoted ({@link #NAMES}), so nothing of pgdr's stays in its configuration.
 */
final class RecoverySettings {

  /** Every setting pgdr writes, for the reset after promotion. */
  static final List<String> NAMES = List.of("restore_command", "recovery_target_time", "recovery_target_lsn", "recovery_target_xid",
      "recovery_target_name", "recovery_target_inclusive", "recovery_target_timeline", "recovery_target_action");

  private static final DateTimeFormatter POSTGRES_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

  private RecoverySettings() {}

  static List<String> lines(PitrResolution resolution, PitrTarget target) {
    List<String> lines = new ArrayList<>();
    lines.add("# pgdr point-in-time recovery: removed once the server has promoted");
    lines.add(setting("restore_command", "/bin/sh " + WalSpool.DIRECTORY + "/" + WalSpool.SCRIPT + " %f %p"));
    if (resolution.targetTime() != null) {
      lines.add(setting("recovery_target_time", POSTGRES_TIME.format(resolution.targetTime())));
    } else if (target.lsn() != null && !target.lsn().isBlank()) {
      lines.add(setting("recovery_target_lsn", RecoverableWindow.parseLsn(target.lsn()).toString()));
    } else if (target.xid() != null && !target.xid().isBlank()) {
      lines.add(setting("recovery_target_xid", target.xid().strip()));
    } else {
      lines.add(setting("recovery_target_name", target.name()));
    }
    if (target.exclusive()) {
      lines.add(setting("recovery_target_inclusive", "off"));
    }
    lines.add(setting("recovery_target_timeline", String.valueOf(resolution.timeline())));
    lines.add(setting("recovery_target_action", "promote"));
    return lines;
  }

  /** Appends the settings and creates recovery.signal, both given to the volume's owner. */
  static void write(Path dataDir, VolumeOwner owner, PitrResolution resolution, PitrTarget target) throws IOException {
    Path auto = dataDir.resolve("postgresql.auto.conf");
    Files.write(auto, ("\n" + String.join("\n", lines(resolution, target)) + "\n").getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    owner.give(auto);
    // a base backup of a standby may carry its standby.signal: with it the server would wait for
    // WAL forever instead of ending its recovery at the target
    Files.deleteIfExists(dataDir.resolve("standby.signal"));
    Path signal = dataDir.resolve("recovery.signal");
    Files.write(signal, new byte[0]);
    owner.give(signal);
  }

  /** A configuration line, its value quoted as postgresql.conf reads it ({@code ''} for a quote, a backslash doubled). */
  static String setting(String name, String value) {
    return name + " = '" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
