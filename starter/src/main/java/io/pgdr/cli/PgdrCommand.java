package io.pgdr.cli;

import picocli.CommandLine.Command;

@Command(name = "pgdr", mixinStandardHelpOptions = true, version = "pgdr 0.1.0",
    description = "PostgreSQL disaster recovery as durable Temporal workflows.",
    footer = {"", ExitCodes.HELP},
    subcommands = {
        FailoverCommand.class,
        RestoreCommand.class,
        BackupCommand.class,
        StatusCommand.class,
        ListCommand.class,
        ApproveCommand.class,
        RejectCommand.class,
        WorkerCommand.class,
        LabCommand.class,
        CompletionCommand.class,
        picocli.CommandLine.HelpCommand.class})
public final class PgdrCommand {}
