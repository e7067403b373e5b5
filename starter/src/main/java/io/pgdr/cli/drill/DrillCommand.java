package io.pgdr.cli.drill;

import picocli.CommandLine.Command;

@Command(name = "drill", mixinStandardHelpOptions = true,
    description = {"Drills (runbook 000 §6): prove that a recovery works now, measured against the target's RTO and RPO, without"
        + " touching the application's data; run now, or on a Temporal Schedule (monthly by default)."},
    subcommands = {DrillRunCommand.class, DrillScheduleCommand.class})
public final class DrillCommand {}
