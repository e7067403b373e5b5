package io.pgdr.cli;

import picocli.CommandLine.Command;

@Command(name = "failover", mixinStandardHelpOptions = true, description = "Fail over to another server.",
    subcommands = {PromoteReplicaCommand.class})
final class FailoverCommand {}
