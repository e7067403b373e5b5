package io.pgdr.cli.backup;

import picocli.CommandLine.Command;

@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Backups in S3: list and check them, take one.",
    subcommands = {BackupListCommand.class, BackupRunCommand.class})
public final class BackupCommand {}
