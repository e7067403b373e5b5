package io.pgdr.cli;

import picocli.CommandLine.Command;

@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Backups in S3: list and check them, take one.",
    subcommands = {BackupListCommand.class, BackupRunCommand.class})
final class BackupCommand {}
