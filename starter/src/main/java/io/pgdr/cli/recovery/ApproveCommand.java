package io.pgdr.cli.recovery;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve the step a run is waiting for.")
public final class ApproveCommand extends DecisionOptions {

  @Option(names = "--override-rpo", description = "accept an estimated data loss above the target's RPO")
  boolean overrideRpo;

  @Override
  boolean approve() {
    return true;
  }

  @Override
  boolean overrideRpo() {
    return overrideRpo;
  }
}
