package io.pgdr.cli.recovery;

import picocli.CommandLine.Command;

@Command(name = "pool", mixinStandardHelpOptions = true, description = "Recover a primary whose connections ran out (runbook 004 scenario 4).",
    subcommands = {PoolRecoverCommand.class})
public final class PoolCommand {}
