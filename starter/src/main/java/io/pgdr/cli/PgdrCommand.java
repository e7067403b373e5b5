package io.pgdr.cli;

import io.pgdr.cli.backup.BackupCommand;
import io.pgdr.cli.lab.LabCommand;
import io.pgdr.cli.recovery.ApproveCommand;
import io.pgdr.cli.recovery.FailoverCommand;
import io.pgdr.cli.recovery.ListCommand;
import io.pgdr.cli.recovery.RejectCommand;
import io.pgdr.cli.recovery.PitrCommand;
import io.pgdr.cli.recovery.RestoreCommand;
import io.pgdr.cli.recovery.StatusCommand;
import io.pgdr.cli.worker.WorkerCommand;
import picocli.CommandLine.Command;

@Command(name = "pgdr", mixinStandardHelpOptions = true, version = "pgdr 0.1.0",
    description = "PostgreSQL disaster recovery as durable Temporal workflows.",
    footer = {"", ExitCodes.HELP},
    subcommands = {
        FailoverCommand.class,
        RestoreCommand.class,
        PitrCommand.class,
        io.pgdr.cli.recovery.RejoinCommand.class,
        io.pgdr.cli.recovery.PoolCommand.class,
        io.pgdr.cli.recovery.WaitRecoveryCommand.class,
        io.pgdr.cli.recovery.IncidentCommand.class,
        io.pgdr.cli.drill.DrillCommand.class,
        HistoryCommand.class,
        CheckCommand.class,
        BackupCommand.class,
        StatusCommand.class,
        ListCommand.class,
        ApproveCommand.class,
        RejectCommand.class,
        WorkerCommand.class,
        io.pgdr.cli.worker.VolumeJobCommand.class,
        LabCommand.class,
        CompletionCommand.class,
        picocli.CommandLine.HelpCommand.class})
public final class PgdrCommand {}
