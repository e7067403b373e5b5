package io.pgdr.cli.recovery;

import picocli.CommandLine.Command;

@Command(name = "incident", mixinStandardHelpOptions = true,
    description = "From what was observed to the right recovery: assess the database, recommend one scenario and start it.",
    subcommands = {IncidentStartCommand.class})
public final class IncidentCommand {}
