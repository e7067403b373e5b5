package io.pgdr.cli.backup;

import picocli.CommandLine.Command;

@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Backups in S3: list and check them, show the physical archive's recoverable window, take one, take a physical base backup.",
    subcommands = {BackupListCommand.class, BackupWindowCommand.class, BackupRunCommand.class, BackupBaseCommand.class})
public final class BackupCommand {}
