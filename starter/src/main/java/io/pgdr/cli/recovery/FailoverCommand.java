package io.pgdr.cli.recovery;

import picocli.CommandLine.Command;

@Command(name = "failover", mixinStandardHelpOptions = true, description = "Fail over to another server.",
    subcommands = {PromoteReplicaCommand.class, PatroniFailoverCommand.class})
public final class FailoverCommand {}
